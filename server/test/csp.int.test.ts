import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function csp(env: Record<string, string>, headers: Record<string, string>): Promise<string> {
  const server = await startServer({ env });
  servers.push(server);
  const response = await server.app.inject({ method: 'GET', url: '/healthz', headers });
  return String(response.headers['content-security-policy']);
}

describe('Content-Security-Policy and plain HTTP', () => {
  it('[CSP-http] a page opened over plain HTTP on a LAN address is not told to upgrade its requests to https', async () => {
    const policy = await csp({}, { host: '192.0.2.2:3000' });
    expect(policy).toContain("default-src 'self'");
    expect(policy).not.toContain('upgrade-insecure-requests');
  });

  it('[CSP-https] requests that came over HTTPS (behind a trusted proxy) or a https PUBLIC_URL keep upgrade-insecure-requests', async () => {
    const behindProxy = await csp({ TRUST_PROXY: 'true' }, { host: 'pairpad.example', 'x-forwarded-proto': 'https' });
    expect(behindProxy).toContain('upgrade-insecure-requests');
    expect(behindProxy).toContain("default-src 'self'");
    const publicHttps = await csp({ PUBLIC_URL: 'https://pairpad.example' }, { host: 'pairpad.example' });
    expect(publicHttps).toContain('upgrade-insecure-requests');
  });
});

describe('Content-Security-Policy of the run workers', () => {
  it('[CSP-sandbox] only the run workers’ scripts may evaluate code and compile WebAssembly; the page may not', async () => {
    const server = await startServer();
    servers.push(server);
    const worker = await server.app.inject({ method: 'GET', url: '/assets/sandbox-python-Bx1_a.js' });
    const workerPolicy = String(worker.headers['content-security-policy']);
    expect(workerPolicy).toContain("'wasm-unsafe-eval'");
    expect(workerPolicy).toContain("'unsafe-eval'");
    const page = await server.app.inject({ method: 'GET', url: '/healthz' });
    const pagePolicy = String(page.headers['content-security-policy']);
    expect(pagePolicy).toContain("script-src 'self'");
    expect(pagePolicy).not.toContain('unsafe-eval');
    const other = await server.app.inject({ method: 'GET', url: '/assets/index-sandbox.js' });
    expect(String(other.headers['content-security-policy'])).not.toContain('unsafe-eval');
  });
});

describe('Content-Security-Policy of the formatter’s worker', () => {
  it('[CSP-formatter] Ruff’s worker script may compile WebAssembly but not evaluate code', async () => {
    const server = await startServer();
    servers.push(server);
    const worker = await server.app.inject({ method: 'GET', url: '/assets/ruff-worker-Bx1_a.js' });
    const policy = String(worker.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(policy).not.toContain("'unsafe-eval'");
    const other = await server.app.inject({ method: 'GET', url: '/assets/format-ruff-worker-Bx1_a.js' });
    expect(String(other.headers['content-security-policy'])).not.toContain('wasm-unsafe-eval');
  });
});
