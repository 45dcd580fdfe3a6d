import { monaco } from '../../monaco-setup';
import { toDisposable, type Disposable } from '../../disposable';

type Editor = monaco.editor.ICodeEditor;
type Model = monaco.editor.ITextModel;

/** The editor showing each model, for the formatter's messages (a provider is given only the model). */
const editors = new Map<Model, Editor>();
let providers: monaco.IDisposable[] | null = null;

/**
 * Format Document (Shift+Alt+F) and Format Selection for Python with Ruff: one provider each
 * for the page, registered while an editor is bound. Only the registration is here; Ruff (its
 * worker and 1.2 MB of WebAssembly, see format.ts) is loaded on the first format.
 */
export function bindPythonFormatter(editor: Editor, model: Model): Disposable {
  editors.set(model, editor);
  providers ??= [
    monaco.languages.registerDocumentFormattingEditProvider('python', {
      displayName: 'Ruff',
      provideDocumentFormattingEdits: async (target, options, token) => {
        const { formatDocumentEdits } = await import('./format');
        return formatDocumentEdits(target, options, token, editors.get(target) ?? null);
      },
    }),
    monaco.languages.registerDocumentRangeFormattingEditProvider('python', {
      displayName: 'Ruff',
      provideDocumentRangeFormattingEdits: async (target, range, options, token) => {
        const { formatDocumentEdits } = await import('./format');
        return formatDocumentEdits(target, options, token, editors.get(target) ?? null, range);
      },
    }),
  ];
  return toDisposable(() => {
    if (editors.get(model) === editor) editors.delete(model);
    if (editors.size === 0) {
      for (const each of providers ?? []) each.dispose();
      providers = null;
    }
  });
}
