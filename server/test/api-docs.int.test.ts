import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers';

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: string[];
}
interface Operation {
  tags?: string[];
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
}
interface OpenApi {
  openapi: string;
  info: { description?: string };
  paths: Record<string, Record<string, Operation>>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The REST routes of the contract (CONTRACT.md), with the body fields and errors it names. */
const CONTRACT_ROUTES: { method: string; path: string; body?: string[]; errors: Record<number, string[]> }[] = [
  { method: 'get', path: '/healthz', errors: { 503: ['db_unavailable'] } },
  { method: 'post', path: '/rooms', body: ['name', 'language', 'limit', 'code'], errors: { 400: ['invalid_request'] } },
  { method: 'get', path: '/rooms/{roomId}', errors: { 404: ['room_not_found'] } },
  {
    method: 'patch',
    path: '/rooms/{roomId}',
    body: ['name', 'language', 'limit'],
    errors: { 400: ['invalid_request'], 403: ['forbidden'], 404: ['room_not_found'], 409: ['limit_below_online'] },
  },
  { method: 'post', path: '/autocomplete', body: ['code', 'cursorPosition', 'language'], errors: { 400: ['invalid_request'] } },
];

const jsonSchema = (part: { content?: Record<string, { schema?: JsonSchema }> } | undefined) => part?.content?.['application/json']?.schema;

let server: TestServer;
let webDir: string;
let spec: OpenApi;

beforeAll(async () => {
  // With a built app to serve, so the SPA fallback is in place too.
  webDir = await mkdtemp(join(tmpdir(), 'pairpad-web-'));
  await writeFile(join(webDir, 'index.html'), '<!doctype html><title>pairpad test app</title>');
  server = await startServer({ env: { WEB_DIR: webDir } });
  const response = await fetch(`${server.httpUrl}/docs/json`);
  expect(response.status).toBe(200);
  spec = (await response.json()) as OpenApi;
});
afterAll(async () => {
  await server.close();
  await rm(webDir, { recursive: true, force: true });
});

describe('the API reference at /docs', () => {
  it('[DOCS-contract] documents every REST route of the contract with its parameters, body and error codes', () => {
    expect(spec.openapi).toMatch(/^3\./);
    for (const route of CONTRACT_ROUTES) {
      const operation = spec.paths[route.path]?.[route.method];
      expect(operation, `${route.method.toUpperCase()} ${route.path} is documented`).toBeDefined();
      if (route.path.includes('{roomId}')) {
        expect(operation!.parameters).toContainEqual(expect.objectContaining({ in: 'path', name: 'roomId', required: true }));
      }
      if (route.body) expect(Object.keys(jsonSchema(operation!.requestBody)?.properties ?? {}).sort()).toEqual([...route.body].sort());
      for (const [status, codes] of Object.entries(route.errors)) {
        const documented = jsonSchema(operation!.responses?.[status])?.properties?.error?.properties?.code?.enum;
        expect(documented, `${route.method.toUpperCase()} ${route.path} ${status}`).toEqual(expect.arrayContaining(codes));
      }
    }
    expect(jsonSchema(spec.paths['/autocomplete']?.post?.requestBody)?.required?.sort()).toEqual(['code', 'cursorPosition', 'language']);
  });

  it('[DOCS-schemas] every REST route has a schema for its success and for each refusal, every path parameter is declared', () => {
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
    const rest = operations.filter(({ operation }) => !operation.tags?.includes('websocket'));
    expect(rest.length).toBeGreaterThanOrEqual(CONTRACT_ROUTES.length);
    for (const { path, method, operation } of rest) {
      const where = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(operation.responses ?? {});
      const successes = statuses.filter((status) => status.startsWith('2'));
      const refusals = statuses.filter((status) => Number(status) >= 400);
      expect(successes.length, `${where} documents its success`).toBeGreaterThan(0);
      expect(refusals.length, `${where} documents its refusals`).toBeGreaterThan(0);
      for (const status of [...successes, ...refusals]) {
        expect(jsonSchema(operation.responses![status])?.properties, `${where} ${status} has a JSON schema`).toBeDefined();
      }
      for (const status of refusals) {
        expect(jsonSchema(operation.responses![status])?.properties?.error?.properties?.code?.enum?.length, `${where} ${status} names its error codes`).toBeGreaterThan(0);
      }
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        expect(operation.parameters, `${where} declares {${name}}`).toContainEqual(expect.objectContaining({ in: 'path', name }));
      }
    }
  });

  it('[DOCS-sockets] lists both WebSocket endpoints with their query parameters and points to the protocol page in the repository', () => {
    for (const path of ['/yjs/{roomId}', '/ws/{roomId}']) {
      const names = (spec.paths[path]?.get?.parameters ?? []).map((parameter) => `${parameter.in}:${parameter.name}`);
      expect(names).toEqual(expect.arrayContaining(['path:roomId', 'query:name', 'query:session', 'query:role']));
    }
    expect(spec.info.description).toContain('docs/protocol.md');
    expect(existsSync(join(root, 'docs', 'protocol.md'))).toBe(true);
  });

  it('[DOCS-ui] /docs serves Swagger UI from the server itself under the app\'s CSP, not the SPA', async () => {
    const page = await fetch(`${server.httpUrl}/docs`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain('pairpad test app');
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    // Every script and stylesheet the page loads comes from this server.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      expect((await fetch(new URL(asset, `${server.httpUrl}/docs/`))).status, asset).toBe(200);
    }
    const unknown = await fetch(`${server.httpUrl}/docs/nothing-here`, { headers: { accept: 'text/html' } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
