import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API runs on another port in development; scripts/dev.ts passes its origin.
const api = process.env.PAIRPAD_API ?? 'http://127.0.0.1:3000';
const wsApi = api.replace(/^http/, 'ws');

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
  server: {
    proxy: {
      '/rooms': api,
      '/autocomplete': api,
      '/healthz': api,
      '/yjs': { target: wsApi, ws: true },
      '/ws': { target: wsApi, ws: true },
    },
  },
});
