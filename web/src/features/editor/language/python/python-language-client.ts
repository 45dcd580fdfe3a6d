import pyrightScriptUrl from 'browser-basedpyright/dist/pyright.worker.js?url';
import {
  CompletionItemKind,
  CompletionRequest,
  CompletionResolveRequest,
  ConfigurationRequest,
  DefinitionRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  HoverRequest,
  InitializeRequest,
  InitializedNotification,
  NotificationType,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  SignatureHelpRequest,
  WorkDoneProgressCreateRequest,
  type CancellationToken,
  type InitializeParams,
  type Location,
  type LocationLink,
  type ServerCapabilities,
} from 'vscode-languageserver-protocol/browser';
import { monaco } from '../../monaco-setup';
import { toDisposable, type Disposable } from '../../disposable';
import { startPyrightWorkers, type PyrightWorkers } from './pyright-worker';
import { provideMemberNames, startEngineRanking } from '../completion-ranking';
import {
  toCompletionItem,
  toDocumentation,
  toHover,
  toLspChanges,
  toLspPosition,
  toMarker,
  toMonacoRange,
  toSignatureHelp,
  type CompletionWithSource,
} from './lsp-convert';

type Model = monaco.editor.ITextModel;

/** The workspace, apart from the typeshed stubs at /typeshed (a root above them would make pyright check all of typeshed). */
const ROOT_PATH = '/pairpad';
const ROOT_URI = `file://${ROOT_PATH}`;
const MARKER_OWNER = 'pyright';
const CreateFileNotification = new NotificationType<{ uri: string }>('pyright/createFile');
const DeleteFileNotification = new NotificationType<{ uri: string }>('pyright/deleteFile');

/**
 * pyright's defaults (basedpyright's own "recommended" mode flags unannotated code a beginner
 * writes on every line). The stubs are basedpyright's bundled typeshed.
 */
const PYRIGHT_CONFIG = { typeshedPath: '/typeshed', typeCheckingMode: 'standard' };

const INITIALIZE_TIMEOUT_MS = 60_000;

export type LoadProgress = { phase: 'downloading'; bytes: number } | { phase: 'starting' };

/** Monaco's cancellation token has the shape jsonrpc's expects. */
const asToken = (token: monaco.CancellationToken): CancellationToken => token as unknown as CancellationToken;

/**
 * A request whose failure means "no answer": Monaco reports a provider's rejection as an
 * uncaught error, and a cancelled request (the user typed on) or a closed connection is not one.
 */
async function ask<R>(send: () => Promise<R>): Promise<R | null> {
  try {
    return await send();
  } catch {
    return null;
  }
}

/**
 * basedpyright (a Python language server) in Web Workers of this page, driven over LSP, with its
 * answers turned into Monaco providers and markers for the models attached to it. One per page:
 * the first Python room to use it starts it, and it stays for the page's lifetime.
 */
export class PythonLanguageClient {
  private readonly uris = new Map<Model, string>();
  private readonly models = new Map<string, Model>();
  private readonly providers: Disposable[] = [];
  private nextDocument = 1;
  private firstDiagnostics: (() => void) | null = null;

  private constructor(
    private readonly workers: PyrightWorkers,
    capabilities: ServerCapabilities,
  ) {
    const { connection } = workers;
    connection.onNotification(PublishDiagnosticsNotification.type, ({ uri, diagnostics }) => {
      const model = this.models.get(uri);
      if (!model || model.isDisposed()) return;
      monaco.editor.setModelMarkers(model, MARKER_OWNER, diagnostics.map(toMarker));
      if (this.firstDiagnostics) {
        this.firstDiagnostics();
        this.firstDiagnostics = null;
      }
    });
    this.registerProviders(capabilities);
  }

  /** Downloads the server (17.5 MB, 2.4 MB brotli), starts it and waits for its `initialize` answer. */
  static async start(onProgress: (progress: LoadProgress) => void): Promise<PythonLanguageClient> {
    performance.mark('pairpad:python-ls:start');
    // Fetched first only to show progress: the worker then loads it from the HTTP cache.
    await download(pyrightScriptUrl, (bytes) => onProgress({ phase: 'downloading', bytes }));
    onProgress({ phase: 'starting' });
    const workers = startPyrightWorkers(pyrightScriptUrl);
    const { connection } = workers;
    // The server asks for settings and progress tokens; these answers say "none".
    connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => ({})));
    connection.onRequest(WorkDoneProgressCreateRequest.type, () => {});
    connection.onRequest(RegistrationRequest.type, () => undefined);
    connection.listen();
    try {
      // A worker that failed to load never answers: give up rather than show "starting" forever.
      const { capabilities } = await withTimeout(connection.sendRequest(InitializeRequest.type, initializeParams()), INITIALIZE_TIMEOUT_MS);
      await connection.sendNotification(InitializedNotification.type, {});
      await connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
      performance.mark('pairpad:python-ls:initialized');
      return new PythonLanguageClient(workers, capabilities);
    } catch (error) {
      workers.dispose();
      throw error;
    }
  }

  /**
   * Keeps the server's copy of `model` in step with it (incremental changes) and shows the
   * server's diagnostics on it, until disposed. Each browser has its own server: the markers are
   * this viewer's, never shared through the document.
   */
  attach(model: Model, onFirstDiagnostics?: () => void): Disposable {
    const uri = `${ROOT_URI}/room-${this.nextDocument++}.py`;
    this.uris.set(model, uri);
    this.models.set(uri, model);
    if (onFirstDiagnostics) this.firstDiagnostics = onFirstDiagnostics;
    // The server analyses only files that exist in its in-memory file system; didOpen then overlays the text.
    this.notify((c) => c.sendNotification(CreateFileNotification, { uri }));
    this.notify((c) =>
      c.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'python', version: model.getVersionId(), text: model.getValue() },
      }),
    );
    const changes = model.onDidChangeContent((event) => {
      this.notify((c) =>
        c.sendNotification(DidChangeTextDocumentNotification.type, {
          textDocument: { uri, version: event.versionId },
          contentChanges: toLspChanges(event, () => model.getValue()),
        }),
      );
    });
    return toDisposable(() => {
      changes.dispose();
      this.uris.delete(model);
      this.models.delete(uri);
      if (!model.isDisposed()) monaco.editor.setModelMarkers(model, MARKER_OWNER, []);
      this.notify((c) => c.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } }));
      this.notify((c) => c.sendNotification(DeleteFileNotification, { uri }));
    });
  }

  /** Fire and forget: a notification to a server that has gone is dropped (the page is leaving). */
  private notify(send: (connection: PyrightWorkers['connection']) => Promise<void>): void {
    try {
      send(this.workers.connection).catch(() => {});
    } catch {
      // Closed: nothing to tell.
    }
  }

  dispose(): void {
    for (const provider of this.providers.splice(0)) provider.dispose();
    for (const model of this.uris.keys()) if (!model.isDisposed()) monaco.editor.setModelMarkers(model, MARKER_OWNER, []);
    this.uris.clear();
    this.models.clear();
    this.workers.dispose();
  }

  private registerProviders(capabilities: ServerCapabilities): void {
    const { connection } = this.workers;
    const uriOf = (model: Model): string | undefined => this.uris.get(model);

    this.providers.push(
      monaco.languages.registerCompletionItemProvider('python', {
        // Only '.': the server also offers '[' and quotes (dict keys, literals), and a list that
        // opens inside every string would take Enter from someone typing a line.
        triggerCharacters: ['.'],
        provideCompletionItems: async (model, position, context, token) => {
          const uri = uriOf(model);
          if (!uri) return undefined;
          const ranking = startEngineRanking(model, model.getOffsetAt(position));
          try {
            const result = await ask(() =>
              connection.sendRequest(
                CompletionRequest.type,
                {
                  textDocument: { uri },
                  position: toLspPosition(position),
                  // Monaco's trigger kinds count from 0, LSP's from 1.
                  context: { triggerKind: (context.triggerKind + 1) as 1 | 2 | 3, triggerCharacter: context.triggerCharacter },
                },
                asToken(token),
              ),
            );
            if (!result) return undefined;
            const word = model.getWordUntilPosition(position);
            const range = { startLineNumber: position.lineNumber, startColumn: word.startColumn, endLineNumber: position.lineNumber, endColumn: position.column };
            const items = Array.isArray(result) ? result : result.items;
            const suggestions = await ranking.rank(items.map((item) => toCompletionItem(item, range)));
            return { suggestions, incomplete: !Array.isArray(result) && result.isIncomplete };
          } finally {
            ranking.dispose();
          }
        },
        resolveCompletionItem: async (item, token) => {
          const source = (item as CompletionWithSource).lsp;
          if (!source) return item;
          const resolved = await ask(() => connection.sendRequest(CompletionResolveRequest.type, source, asToken(token)));
          if (!resolved) return item;
          return { ...item, detail: resolved.detail ?? item.detail, documentation: toDocumentation(resolved.documentation) ?? item.documentation };
        },
      }),
      // The ghost text's `add` rule: a list with keywords is the scope's, not the receiver's members.
      provideMemberNames('python', async (model, offset) => {
        const editorModel = model as Model;
        const uri = uriOf(editorModel);
        if (!uri) return null;
        const position = toLspPosition(editorModel.getPositionAt(offset));
        const result = await ask(() => connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position, context: { triggerKind: 1 } }));
        const items = !result ? [] : Array.isArray(result) ? result : result.items;
        if (items.length === 0 || items.some((item) => item.kind === CompletionItemKind.Keyword)) return null;
        return items.filter((item) => item.kind !== CompletionItemKind.Snippet).map((item) => item.label);
      }),
      monaco.languages.registerHoverProvider('python', {
        provideHover: async (model, position, token) => {
          const uri = uriOf(model);
          if (!uri) return null;
          const hover = await ask(() => connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: toLspPosition(position) }, asToken(token)));
          return toHover(hover);
        },
      }),
      monaco.languages.registerSignatureHelpProvider('python', {
        signatureHelpTriggerCharacters: capabilities.signatureHelpProvider?.triggerCharacters ?? ['(', ','],
        signatureHelpRetriggerCharacters: capabilities.signatureHelpProvider?.retriggerCharacters ?? [')'],
        provideSignatureHelp: async (model, position, token, context) => {
          const uri = uriOf(model);
          if (!uri) return null;
          const help = await ask(() =>
            connection.sendRequest(
              SignatureHelpRequest.type,
              {
                textDocument: { uri },
                position: toLspPosition(position),
                // Monaco's and LSP's trigger kinds agree (1 invoke, 2 character, 3 content change).
                context: { triggerKind: context.triggerKind as number as 1 | 2 | 3, triggerCharacter: context.triggerCharacter, isRetrigger: context.isRetrigger },
              },
              asToken(token),
            ),
          );
          const value = toSignatureHelp(help);
          return value ? { value, dispose() {} } : null;
        },
      }),
      monaco.languages.registerDefinitionProvider('python', {
        provideDefinition: async (model, position, token) => {
          const uri = uriOf(model);
          if (!uri) return null;
          const result = await ask(() => connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: toLspPosition(position) }, asToken(token)));
          if (!result) return null;
          const targets: (Location | LocationLink)[] = Array.isArray(result) ? result : [result];
          // Only this file can be opened here; a definition in typeshed is not.
          return targets.flatMap((target) => {
            const [targetUri, range] = 'targetUri' in target ? [target.targetUri, target.targetSelectionRange] : [target.uri, target.range];
            return targetUri === uri ? [{ uri: model.uri, range: toMonacoRange(range) }] : [];
          });
        },
      }),
    );
  }
}

function initializeParams(): InitializeParams {
  return {
    processId: null,
    rootUri: ROOT_URI,
    workspaceFolders: [{ uri: ROOT_URI, name: 'pairpad' }],
    capabilities: {
      textDocument: {
        synchronization: { dynamicRegistration: false, didSave: false },
        publishDiagnostics: { tagSupport: { valueSet: [1, 2] }, versionSupport: true },
        completion: {
          contextSupport: true,
          completionItem: {
            snippetSupport: true,
            documentationFormat: ['markdown', 'plaintext'],
            labelDetailsSupport: true,
            tagSupport: { valueSet: [1] },
            resolveSupport: { properties: ['documentation', 'detail'] },
          },
        },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        signatureHelp: {
          contextSupport: true,
          signatureInformation: { documentationFormat: ['markdown', 'plaintext'], parameterInformation: { labelOffsetSupport: true }, activeParameterSupport: true },
        },
        definition: { linkSupport: true },
      },
      workspace: { configuration: true, workspaceFolders: true },
    },
    // basedpyright's browser build reads its files from here (and requires the object).
    initializationOptions: { files: { [`${ROOT_PATH}/pyrightconfig.json`]: JSON.stringify(PYRIGHT_CONFIG) } },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the Python language server did not start')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function download(url: string, onBytes: (bytes: number) => void): Promise<void> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`the Python language server did not download (HTTP ${response.status})`);
  const reader = response.body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    bytes += value.byteLength;
    onBytes(bytes);
  }
}
