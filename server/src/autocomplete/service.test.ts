import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AutocompleteBody, Language } from '@pairpad/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { completionsUrl, createAutocompleteService, FAILURES_BEFORE_PAUSE, MODEL_PREFIX_CHARS, MODEL_SUFFIX_CHARS } from './service.js';
import { suggest } from './suggest.js';

type Handler = (body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse) => void;

interface FakeModel {
  url: string;
  requests: { path: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }[];
  /** Resolves when a request's connection closes before an answer was sent. */
  aborted: Promise<void>;
  close(): Promise<void>;
}

const servers: FakeModel[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A fake OpenAI-compatible completions server on 127.0.0.1, port 0. */
async function fakeModel(handler: Handler): Promise<FakeModel> {
  const requests: FakeModel['requests'] = [];
  let onAbort: () => void = () => {};
  const aborted = new Promise<void>((resolve) => (onAbort = resolve));
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      requests.push({ path: req.url ?? '', body, headers: req.headers });
      res.on('close', () => {
        if (!res.writableEnded) onAbort();
      });
      handler(body, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeModel = {
    url: `http://127.0.0.1:${port}`,
    requests,
    aborted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

const answer =
  (text: string, status = 200): Handler =>
  (_body, _req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'cmpl-1', object: 'text_completion', choices: [{ index: 0, text, finish_reason: 'stop' }] }));
  };
/** Never answers; the connection stays open until the client gives up. */
const hang: Handler = () => {};

/** A request body as the route hands it over (already validated). */
function bodyOf(code: string, cursorPosition: number, language: Language): AutocompleteBody {
  // Cast through unknown: the schema-derived `language` type is narrower than Language in some
  // TypeBox versions, and this helper is the one place tests build bodies.
  return { code, cursorPosition, language } as unknown as AutocompleteBody;
}

const code = 'value = 1\nvalue = 2\nprint(val';
const body = bodyOf(code, code.length, 'python');

function service(url: string | undefined, timeoutMs = 2_000, provider: 'local' | 'openai' = 'openai') {
  return createAutocompleteService({ provider, url, model: 'tiny-coder', apiKey: 'sk-test', timeoutMs, logger: silentLogger });
}

describe('autocomplete service: local provider', () => {
  it('answers with the local engine', async () => {
    const r = await service(undefined, 1_000, 'local').complete(body);
    expect(r).toEqual(suggest(code, code.length, 'python'));
    expect(r.source).toBe('local');
  });

  it('falls back to local when openai has no URL', async () => {
    const r = await service(undefined).complete(body);
    expect(r.source).toBe('local');
  });
});

describe('autocomplete service: OpenAI-compatible provider', () => {
  it('sends a bounded fill-in-the-middle request and returns the model text', async () => {
    const fake = await fakeModel(answer('ue)\n'));
    const long = 'x = 1\n'.repeat(2_000);
    const doc = `${long}print(val${long}`;
    const cursor = long.length + 'print(val'.length;
    const r = await service(fake.url).complete(bodyOf(doc, cursor, 'python'));
    expect(r.source).toBe('model');
    expect(r.suggestion).toBe('ue)');
    expect(r.suggestions[0]).toEqual({ label: 'value)', insertText: 'ue)', kind: 'line' });
    const [req] = fake.requests;
    expect(req?.path).toBe('/v1/completions');
    expect(req?.headers.authorization).toBe('Bearer sk-test');
    expect(req?.body).toMatchObject({ model: 'tiny-coder', temperature: 0, stream: false });
    expect(req?.body.max_tokens).toBeLessThanOrEqual(64);
    expect(Array.isArray(req?.body.stop)).toBe(true);
    expect(req?.body.prompt).toBe(doc.slice(cursor - MODEL_PREFIX_CHARS, cursor));
    expect(req?.body.suffix).toBe(doc.slice(cursor, cursor + MODEL_SUFFIX_CHARS));
  });

  it('falls back to the local engine when the model times out', async () => {
    const fake = await fakeModel(hang);
    const r = await service(fake.url, 100).complete(body);
    expect(r).toEqual(suggest(code, code.length, 'python'));
    expect(r.source).toBe('local');
    await fake.aborted; // the hanging request was cancelled, not left open
  });

  it('falls back on an HTTP error, on an empty answer and on a bad body', async () => {
    for (const handler of [
      answer('x', 500),
      answer('   \n'),
      ((_b, _q, res) => res.end('not json')) satisfies Handler,
    ]) {
      const fake = await fakeModel(handler);
      const r = await service(fake.url).complete(body);
      expect(r.source).toBe('local');
      expect(r.suggestion).toBe(suggest(code, code.length, 'python').suggestion);
    }
  });

  it('stops asking a model that keeps failing, for a while', async () => {
    const fake = await fakeModel(answer('x', 503));
    const svc = service(fake.url);
    for (let i = 0; i < FAILURES_BEFORE_PAUSE + 2; i++) expect((await svc.complete(body)).source).toBe('local');
    expect(fake.requests).toHaveLength(FAILURES_BEFORE_PAUSE);
  });

  it('falls back when the server is unreachable', async () => {
    const fake = await fakeModel(hang);
    const url = fake.url;
    await fake.close();
    const r = await service(url).complete(body);
    expect(r.source).toBe('local');
  });

  it("aborts the model request when the caller's signal aborts", async () => {
    const fake = await fakeModel(hang);
    const controller = new AbortController();
    const pending = service(fake.url, 10_000).complete(body, controller.signal);
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await fake.aborted;
    const r = await pending;
    expect(r.source).toBe('local');
  });

  it('does not call the model for an already aborted request', async () => {
    const fake = await fakeModel(answer('ue'));
    const controller = new AbortController();
    controller.abort();
    const r = await service(fake.url).complete(body, controller.signal);
    expect(r.source).toBe('local');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('completionsUrl', () => {
  it('accepts a server root, a /v1 base or a full endpoint', () => {
    expect(completionsUrl('http://127.0.0.1:11434')).toBe('http://127.0.0.1:11434/v1/completions');
    expect(completionsUrl('http://127.0.0.1:8080/v1/')).toBe('http://127.0.0.1:8080/v1/completions');
    expect(completionsUrl('https://api.example.com/v1/completions')).toBe('https://api.example.com/v1/completions');
  });
});
