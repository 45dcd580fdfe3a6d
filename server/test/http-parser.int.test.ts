import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiErrorBody } from '@pairpad/shared';
import { startServer, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

/** Sends raw bytes and reads the whole answer until the server closes the connection. */
function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body });
    });
    socket.end(request);
  });
}

describe('requests the HTTP parser refuses answer in the contract’s error shape', () => {
  it('[HTTP-malformed] a malformed request line is a 400 invalid_request JSON error', async () => {
    const answer = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    const body: unknown = JSON.parse(answer.body);
    expect(isApiErrorBody(body) && body.error.code).toBe('invalid_request');
  });

  it('[HTTP-headers] headers over the parser’s limit are a 431 headers_too_large JSON error, and the server keeps serving', async () => {
    const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    const body: unknown = JSON.parse(answer.body);
    expect(isApiErrorBody(body) && body.error.code).toBe('headers_too_large');
    const health = await fetch(`${server.httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
