import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Browser end-to-end tests: real server (child process) + Debian's Chromium through playwright-core.
// Run with `npm run test:e2e` from the repo root. Files run one after another (2-core machines).
export default defineConfig({
  test: {
    name: 'e2e',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['e2e/**/*.e2e.test.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
  },
});
