import { defineConfig } from 'vitest/config';

// One entry per workspace so `npm test` runs them all. Browser e2e tests live in
// web/vitest.e2e.config.ts and run through `npm run test:e2e` (they need Chromium).
export default defineConfig({
  test: {
    projects: ['shared', 'db', 'server', 'web'],
  },
});
