/// <reference types="vite/client" />

// Side-effect-only Monaco entry points without their own typings.
declare module 'monaco-editor/esm/vs/editor/edcore.main.js';
declare module 'monaco-editor/esm/vs/basic-languages/*';

// Monaco's TypeScript mode (a lazily loaded chunk); pairpad wraps its completion adapter to rank
// the list (language/typescript-completions.ts). Only what is used is declared.
declare module 'monaco-editor/esm/vs/language/typescript/tsMode.js' {
  import type * as Monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
  export class SuggestAdapter {
    constructor(worker: (...uris: Monaco.Uri[]) => Promise<Monaco.languages.typescript.TypeScriptWorker>);
    provideCompletionItems(
      model: Monaco.editor.ITextModel,
      position: Monaco.Position,
      context: Monaco.languages.CompletionContext,
      token: Monaco.CancellationToken,
    ): Promise<Monaco.languages.CompletionList | undefined>;
    resolveCompletionItem(item: Monaco.languages.CompletionItem, token: Monaco.CancellationToken): Promise<Monaco.languages.CompletionItem>;
  }
}
