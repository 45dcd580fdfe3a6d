import { monaco } from '../../monaco-setup';
import { toDisposable, type Disposable } from '../../disposable';

type Editor = monaco.editor.ICodeEditor;
type Model = monaco.editor.ITextModel;

/** The editor showing each model, for the formatter's messages (a provider is given only the model). */
const editors = new Map<Model, Editor>();
let provider: monaco.IDisposable | null = null;

/**
 * Format Document (Shift+Alt+F) for Python with Ruff: one provider for the page, registered
 * while an editor is bound. Only the registration is here; Ruff (its worker and 1.2 MB of
 * WebAssembly, see format.ts) is loaded on the first format. Format Selection is not offered.
 */
export function bindPythonFormatter(editor: Editor, model: Model): Disposable {
  editors.set(model, editor);
  provider ??= monaco.languages.registerDocumentFormattingEditProvider('python', {
    displayName: 'Ruff',
    provideDocumentFormattingEdits: async (target, options, token) => {
      const { formatDocumentEdits } = await import('./format');
      return formatDocumentEdits(target, options, token, editors.get(target) ?? null);
    },
  });
  return toDisposable(() => {
    if (editors.get(model) === editor) editors.delete(model);
    if (editors.size === 0) {
      provider?.dispose();
      provider = null;
    }
  });
}
