import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Seams from ARCHITECTURE.md, enforced: who may import whom.
const noServer = { group: ['@pairpad/server', '@pairpad/server/*', '**/server/src/**'], message: 'Nobody imports server.' };
const noDb = { group: ['@pairpad/db', '@pairpad/db/*', '**/db/src/**'], message: 'Only server imports db.' };
const noWeb = { group: ['@pairpad/web', '@pairpad/web/*', '**/web/src/**'], message: 'Nobody imports web.' };
const noTransport = {
  group: ['fastify', 'fastify/*', '@fastify/*', 'fastify-plugin', 'ws', 'kysely', '@pairpad/db', 'postgres', '@electric-sql/*'],
  message: 'rooms/, sync/ and autocomplete/ stay free of Fastify, ws and SQL: take SocketLike/DocStore/Logger through constructors.',
};
const nodeOnly = {
  group: ['node:*', 'fs', 'path', 'os', 'crypto', 'http', 'net', 'child_process'],
  message: 'shared/ runs in browsers too: no Node-only APIs.',
};

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'bench/results/**', '**/test-results/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Type-aware: a promise nobody awaits or catches is how an error goes unseen (an unhandled
    // rejection) or a write is assumed done before it is.
    files: ['{shared,db,server,web,scripts}/**/*.{ts,tsx}'],
    // In no tsconfig (they configure the test runner only).
    ignores: ['{shared,db,server}/vitest.config.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error' },
  },
  {
    files: ['shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noServer, noDb, noWeb, nodeOnly, { group: ['@pairpad/*'], message: 'shared imports nothing from the workspace.' }] }],
    },
  },
  {
    files: ['db/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noServer, noWeb] }] },
  },
  {
    files: ['server/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noServer, noWeb] }],
      'no-console': 'error',
    },
  },
  {
    files: ['server/src/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['server/src/rooms/**/*.ts', 'server/src/sync/**/*.ts', 'server/src/autocomplete/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noServer, noWeb, noTransport, noDb] }] },
  },
  {
    // Frozen migrations are written against Kysely<any> on purpose: they must not follow schema.ts.
    files: ['db/src/migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/test/**/*.ts', '**/*.test.ts', '**/e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { patterns: [noServer, noDb] }] },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  // Web features never import each other (or app/): app/ composes them.
  ...['rooms', 'editor', 'presence', 'history', 'run'].map((feature) => {
    const others = ['rooms', 'editor', 'presence', 'history', 'run'].filter((other) => other !== feature);
    return {
      files: [`web/src/features/${feature}/**/*.{ts,tsx}`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              noServer,
              noDb,
              {
                group: others.flatMap((other) => [`../${other}`, `../${other}/*`, `**/features/${other}`, `**/features/${other}/*`]),
                message: 'Features never import each other; compose them in web/src/app/.',
              },
              { group: ['**/app', '**/app/*'], message: 'Features do not import app/; app/ imports features.' },
            ],
          },
        ],
      },
    };
  }),
);
