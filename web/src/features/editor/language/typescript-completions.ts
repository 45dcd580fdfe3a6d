/**
 * The JavaScript/TypeScript completion list: Monaco's own adapter over its TypeScript worker
 * (same items, kinds and details), with the items ranked by pairpad's engine for the model's
 * room when the list opens. Monaco's own registration of that adapter is turned off here, so
 * this module must be loaded before the first JS/TS model is created (editor-bindings imports
 * it). The adapter's module is Monaco's lazily loaded TypeScript chunk, fetched only when a list
 * is first asked for.
 */
import { monaco } from '../monaco-setup';
import { provideMemberNames, startEngineRanking } from './completion-ranking';
import type { SuggestAdapter } from 'monaco-editor/esm/vs/language/typescript/tsMode.js';

type Model = monaco.editor.ITextModel;
type ServiceLanguage = 'typescript' | 'javascript';

function workerFor(language: ServiceLanguage): Promise<(...uris: monaco.Uri[]) => Promise<monaco.languages.typescript.TypeScriptWorker>> {
  return language === 'typescript' ? monaco.languages.typescript.getTypeScriptWorker() : monaco.languages.typescript.getJavaScriptWorker();
}

function registerRankedList(language: ServiceLanguage): void {
  const defaults = language === 'typescript' ? monaco.languages.typescript.typescriptDefaults : monaco.languages.typescript.javascriptDefaults;
  defaults.setModeConfiguration({ ...defaults.modeConfiguration, completionItems: false });
  let adapter: Promise<SuggestAdapter> | null = null;
  const load = (): Promise<SuggestAdapter> => {
    adapter ??= Promise.all([import('monaco-editor/esm/vs/language/typescript/tsMode.js'), workerFor(language)]).then(
      ([mode, worker]) => new mode.SuggestAdapter(worker),
    );
    adapter.catch(() => {
      adapter = null; // a later list tries again
    });
    return adapter;
  };
  monaco.languages.registerCompletionItemProvider(language, {
    triggerCharacters: ['.'],
    async provideCompletionItems(model, position, context, token) {
      const ranking = startEngineRanking(model, model.getOffsetAt(position));
      try {
        const list = await (await load()).provideCompletionItems(model, position, context, token);
        return list && { ...list, suggestions: await ranking.rank(list.suggestions) };
      } finally {
        ranking.dispose();
      }
    },
    async resolveCompletionItem(item, token) {
      return (await load()).resolveCompletionItem(item, token);
    },
  });
}

/** A completion entry as the TypeScript service reports it (`ts.CompletionEntry`, the fields used). */
interface ServiceEntry {
  name: string;
  kind: string;
}

function provideMembers(language: ServiceLanguage): void {
  provideMemberNames(language, async (model, offset) => {
    const editorModel = model as Model;
    const worker = await (await workerFor(language))(editorModel.uri);
    if (editorModel.isDisposed()) return null;
    const info = (await worker.getCompletionsAtPosition(editorModel.uri.toString(), offset)) as { isMemberCompletion?: boolean; entries?: ServiceEntry[] } | undefined;
    if (!info?.isMemberCompletion || !info.entries) return null;
    // In a JavaScript file the service lists the file's identifiers as `warning` entries for a
    // receiver of unknown type: a guess, not knowledge of the type.
    return info.entries.filter((entry) => entry.kind !== 'warning').map((entry) => entry.name);
  });
}

registerRankedList('typescript');
registerRankedList('javascript');
provideMembers('typescript');
provideMembers('javascript');
