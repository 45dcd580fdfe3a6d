import { isLanguage, type Language } from '@pairpad/shared';
import type * as Monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import { createScope, toDisposable, type Disposable } from '../disposable';
import { indentationOptions } from './indentation';
import { bindPythonFormatter } from './python/format-provider';
import type { LoadProgress, PythonLanguageClient } from './python/python-language-client';

type Editor = Monaco.editor.IStandaloneCodeEditor;
type Model = Monaco.editor.ITextModel;

/** What the editor shows about a language server it loads itself (today only Python's). */
export type LanguageStatus =
  | { state: 'off' }
  | { state: 'loading'; message: string }
  | { state: 'ready'; message: string }
  | { state: 'failed'; message: string };

type Listener = (status: LanguageStatus) => void;

/**
 * The Python language server is one per page, started on first use and kept: a later Python
 * room (or the same room after a language switch) attaches to it at once.
 */
const python = {
  client: null as Promise<PythonLanguageClient> | null,
  status: null as LanguageStatus | null,
  listeners: new Set<Listener>(),
};

function progressMessage(progress: LoadProgress): string {
  if (progress.phase === 'starting') return 'Python language server: starting…';
  return `Python language server: downloading ${(progress.bytes / 1_048_576).toFixed(1)} MB…`;
}

function loadPython(listener: Listener): Promise<PythonLanguageClient> {
  python.listeners.add(listener);
  if (python.status) listener(python.status);
  if (!python.client) {
    const publish = (status: LanguageStatus): void => {
      python.status = status;
      for (const each of python.listeners) each(status);
    };
    publish({ state: 'loading', message: 'Python language server: loading…' });
    const client = import('./python/python-language-client').then(({ PythonLanguageClient }) =>
      PythonLanguageClient.start((progress) => publish({ state: 'loading', message: progressMessage(progress) })),
    );
    python.client = client;
    client.then(
      () => {
        python.status = null;
      },
      () => {
        // A later use tries again (a dropped connection, a deploy in between).
        python.status = null;
        python.client = null;
      },
    );
  }
  return python.client.finally(() => python.listeners.delete(listener));
}

export interface LanguageServicesOptions {
  onStatus(status: LanguageStatus): void;
}

/**
 * Per-language behaviour of the editor's model, following its language as it changes: the
 * language's indentation, and for Python a language server attached on first use (the editor
 * gets focus), so a room nobody touches never downloads it, and Format Document with Ruff (loaded
 * on the first format). TypeScript/JavaScript, JSON, CSS and HTML need nothing here: Monaco's own
 * services start when a model of their language exists.
 */
export function bindLanguageServices(editor: Editor, model: Model, options: LanguageServicesOptions): Disposable {
  const scope = createScope();
  let used = editor.hasTextFocus();
  let attached: Disposable | null = null;
  let disposed = false;
  const language = (): Language | null => {
    const id = model.getLanguageId();
    return isLanguage(id) ? id : null;
  };

  const detach = (): void => {
    attached?.dispose();
    attached = null;
  };

  const update = (): void => {
    if (disposed) return;
    const current = language();
    if (current) model.updateOptions(indentationOptions(current));
    if (current !== 'python') {
      detach();
      options.onStatus({ state: 'off' });
      return;
    }
    if (!used || attached) return;
    loadPython((status) => {
      if (!disposed && language() === 'python' && !attached) options.onStatus(status);
    }).then(
      (client) => {
        if (disposed || attached || language() !== 'python') return;
        attached = client.attach(model, () => performance.mark('pairpad:python-ls:first-diagnostics'));
        options.onStatus({ state: 'ready', message: 'Python language server (basedpyright)' });
      },
      (error: unknown) => {
        if (disposed || language() !== 'python') return;
        used = false; // the next focus tries again
        options.onStatus({ state: 'failed', message: `Python language server unavailable: ${error instanceof Error ? error.message : String(error)}` });
      },
    );
  };

  // Registered for the language, so it follows a room that switches to or from Python.
  scope.add(bindPythonFormatter(editor, model));
  scope.add(model.onDidChangeLanguage(update));
  scope.add(
    editor.onDidFocusEditorText(() => {
      if (used) return;
      used = true;
      update();
    }),
  );
  scope.add(
    toDisposable(() => {
      disposed = true;
      detach();
    }),
  );
  update();
  return scope;
}
