/**
 * A minimal LSP client for basedpyright's language server (the `basedpyright` npm package, the
 * version `browser-basedpyright` is built from), run as a child process over stdio with
 * Content-Length framing. Set up as the editor's Python client sets up the browser build
 * (web/src/features/editor/language/python/python-language-client.ts): typeCheckingMode
 * standard, the bundled typeshed, no Python environment (the server is started without a
 * `python` on its PATH, so it knows the standard library's stubs and nothing installed), one
 * open file at a time, changes sent as full text.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** The subset of an LSP CompletionItem the harness reads. */
export interface LspCompletionItem {
  label: string;
  kind?: number;
  sortText?: string;
  filterText?: string;
}

/** LSP CompletionItemKind values that are not members. */
export const LSP_KIND_KEYWORD = 14;
export const LSP_KIND_SNIPPET = 15;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class PyrightClient {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly root: string;
  private openUri: string | undefined;
  private version = 0;
  readonly serverVersion: string;
  private stderr = '';

  private constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'pairpad-pyright-'));
    writeFileSync(join(this.root, 'pyrightconfig.json'), JSON.stringify({ typeCheckingMode: 'standard' }));
    const pkgPath = require.resolve('basedpyright/package.json');
    this.serverVersion = (require(pkgPath) as { version: string }).version;
    const server = join(dirname(pkgPath), 'langserver.index.js');
    // No PATH: the server finds no Python interpreter, as in the browser.
    this.proc = spawn(process.execPath, [server, '--stdio'], { cwd: this.root, env: { HOME: process.env.HOME ?? '/tmp', PATH: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 4000) this.stderr += chunk.toString();
    });
    this.proc.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`basedpyright exited (${code}): ${this.stderr.slice(0, 500)}`));
      this.pending.clear();
    });
  }

  static async start(): Promise<PyrightClient> {
    const c = new PyrightClient();
    const rootUri = pathToFileURL(c.root).href;
    await c.request('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'pairpad' }],
      capabilities: {
        textDocument: {
          synchronization: { dynamicRegistration: false },
          completion: { completionItem: { snippetSupport: true, labelDetailsSupport: true, documentationFormat: ['markdown', 'plaintext'] }, contextSupport: true },
        },
        workspace: { configuration: true, workspaceFolders: true },
      },
    });
    c.notify('initialized', {});
    return c;
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd === -1) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const m = /Content-Length: *(\d+)/i.exec(header);
      if (!m) throw new Error(`LSP: bad header ${header}`);
      const len = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + len) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + len).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + len);
      this.onMessage(JSON.parse(body) as { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { message: string } });
    }
  }

  private onMessage(msg: { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { message: string } }): void {
    if (msg.method !== undefined) {
      // A request from the server: answer the few it needs, null for the rest.
      if (msg.id === undefined) return;
      let result: unknown = null;
      if (msg.method === 'workspace/configuration') {
        const items = (msg.params as { items: { section?: string }[] }).items;
        result = items.map((i) => (i.section === 'basedpyright.analysis' ? { typeCheckingMode: 'standard' } : {}));
      } else if (msg.method === 'workspace/workspaceFolders') {
        result = [{ uri: pathToFileURL(this.root).href, name: 'pairpad' }];
      }
      this.send({ jsonrpc: '2.0', id: msg.id, result });
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  }

  private send(msg: object): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request<R>(method: string, params: unknown): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Opens `name` (closing the previous file) with `text`. */
  open(name: string, text: string): void {
    this.close();
    this.openUri = pathToFileURL(join(this.root, name)).href;
    this.version = 1;
    this.notify('textDocument/didOpen', { textDocument: { uri: this.openUri, languageId: 'python', version: this.version, text } });
  }

  /** The open file's new full text, then the completion list at `offset` (after a `.`, as when the trigger character opens the list). */
  async completeAt(text: string, offset: number): Promise<LspCompletionItem[]> {
    if (this.openUri === undefined) throw new Error('no open file');
    this.notify('textDocument/didChange', { textDocument: { uri: this.openUri, version: ++this.version }, contentChanges: [{ text }] });
    const result = await this.request<{ items: LspCompletionItem[] } | LspCompletionItem[] | null>('textDocument/completion', {
      textDocument: { uri: this.openUri },
      position: positionOf(text, offset),
      context: { triggerKind: 2, triggerCharacter: '.' },
    });
    if (!result) return [];
    return Array.isArray(result) ? result : result.items;
  }

  close(): void {
    if (this.openUri === undefined) return;
    this.notify('textDocument/didClose', { textDocument: { uri: this.openUri } });
    this.openUri = undefined;
  }

  async dispose(): Promise<void> {
    this.close();
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      this.notify('exit', null);
    } catch {
      // already gone
    }
    setTimeout(() => this.proc.kill(), 500).unref();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** LSP position (line, UTF-16 character) of a string offset. */
function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}
