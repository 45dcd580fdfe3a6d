import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LanguageStatus } from './language-services';

const { start } = vi.hoisted(() => ({ start: vi.fn() }));
vi.mock('./python/python-language-client', () => ({ PythonLanguageClient: { start } }));
// Ruff's provider registration needs Monaco; its parts are tested in python/format-*.test.ts.
vi.mock('./python/format-provider', () => ({ bindPythonFormatter: () => ({ dispose() {} }) }));

type Listener = () => void;

function fakeModel(initial: string) {
  let language = initial;
  const listeners = new Set<Listener>();
  const options: Record<string, unknown> = {};
  return {
    options,
    getLanguageId: () => language,
    updateOptions: (next: Record<string, unknown>) => Object.assign(options, next),
    onDidChangeLanguage: (listener: Listener) => {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    setLanguage(next: string) {
      language = next;
      for (const listener of listeners) listener();
    },
  };
}

function fakeEditor() {
  let focused = false;
  const listeners = new Set<Listener>();
  return {
    hasTextFocus: () => focused,
    onDidFocusEditorText: (listener: Listener) => {
      listeners.add(listener);
      return { dispose: () => listeners.delete(listener) };
    },
    focus() {
      focused = true;
      for (const listener of listeners) listener();
    },
  };
}

async function bind(language: string) {
  // A fresh module each time: the Python server is one per page, held by the module.
  const { bindLanguageServices } = await import('./language-services');
  const model = fakeModel(language);
  const editor = fakeEditor();
  const statuses: LanguageStatus[] = [];
  const binding = bindLanguageServices(editor as never, model as never, { onStatus: (status) => statuses.push(status) });
  return { model, editor, statuses, binding };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  vi.resetModules();
  start.mockReset();
});

describe('bindLanguageServices', () => {
  it('gives the model its language’s indentation, and again when the room’s language changes', async () => {
    const { model } = await bind('javascript');
    expect(model.options).toMatchObject({ tabSize: 2, indentSize: 2, insertSpaces: true });
    model.setLanguage('python');
    expect(model.options).toMatchObject({ tabSize: 4, insertSpaces: true });
    model.setLanguage('go');
    expect(model.options).toMatchObject({ tabSize: 4, insertSpaces: false });
  });

  it('starts the Python server on first focus only, attaches the model, and detaches when the language changes', async () => {
    const detach = vi.fn();
    const attach = vi.fn((_model: unknown) => ({ dispose: detach }));
    start.mockImplementation(async (onProgress: (progress: unknown) => void) => {
      onProgress({ phase: 'downloading', bytes: 3 * 1_048_576 });
      return { attach };
    });
    const { model, editor, statuses } = await bind('python');
    await flush();
    expect(start).not.toHaveBeenCalled();
    expect(statuses).toEqual([]);

    editor.focus();
    await vi.waitFor(() => expect(attach).toHaveBeenCalledTimes(1));
    expect(attach.mock.calls[0]?.[0]).toBe(model);
    expect(statuses).toContainEqual({ state: 'loading', message: 'Python language server: downloading 3.0 MB…' });
    expect(statuses.at(-1)).toEqual({ state: 'ready', message: 'Python language server (basedpyright)' });

    model.setLanguage('javascript');
    expect(detach).toHaveBeenCalledTimes(1);
    expect(statuses.at(-1)).toEqual({ state: 'off' });
    // Back to Python: the running server is reused.
    model.setLanguage('python');
    await vi.waitFor(() => expect(attach).toHaveBeenCalledTimes(2));
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('says when the server failed to start and tries again at the next focus', async () => {
    start.mockRejectedValueOnce(new Error('no network'));
    const { editor, statuses, binding } = await bind('python');
    editor.focus();
    await vi.waitFor(() => expect(statuses.at(-1)).toEqual({ state: 'failed', message: 'Python language server unavailable: no network' }));

    const attach = vi.fn(() => ({ dispose() {} }));
    start.mockResolvedValueOnce({ attach });
    editor.focus();
    await vi.waitFor(() => expect(attach).toHaveBeenCalledTimes(1));
    binding.dispose();
  });

  it('a room left before the server is up is never attached', async () => {
    let resolve: (client: unknown) => void = () => {};
    start.mockReturnValue(new Promise((done) => (resolve = done)));
    const { editor, binding } = await bind('python');
    editor.focus();
    await vi.waitFor(() => expect(start).toHaveBeenCalled());
    binding.dispose();
    const attach = vi.fn();
    resolve({ attach });
    await flush();
    expect(attach).not.toHaveBeenCalled();
  });
});
