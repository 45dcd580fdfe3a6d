import type * as Monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import type {
  CompletionItem,
  Diagnostic,
  Hover,
  MarkedString,
  MarkupContent,
  Position,
  Range,
  SignatureHelp,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';

/*
 * LSP <-> Monaco, as pure functions. LSP counts lines and characters from 0, Monaco lines and
 * columns from 1; both count UTF-16 code units, so a position maps by adding one. Monaco's
 * enums are written as their numbers (public API, stable) so this file needs no Monaco at run
 * time and is tested in Node.
 */

type IRange = Monaco.IRange;

export function toLspPosition(position: Monaco.IPosition): Position {
  return { line: position.lineNumber - 1, character: position.column - 1 };
}

export function toMonacoRange(range: Range): IRange {
  return {
    startLineNumber: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLineNumber: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

/**
 * One Monaco content change as LSP incremental changes. Monaco lists a multi-range edit from the
 * end of the document to its start, so applying them in order, as LSP does, is correct.
 */
export function toLspChanges(event: Monaco.editor.IModelContentChangedEvent, fullText: () => string): TextDocumentContentChangeEvent[] {
  if (event.isFlush) return [{ text: fullText() }];
  return event.changes.map((change) => ({
    range: {
      start: { line: change.range.startLineNumber - 1, character: change.range.startColumn - 1 },
      end: { line: change.range.endLineNumber - 1, character: change.range.endColumn - 1 },
    },
    text: change.text,
  }));
}

// monaco.MarkerSeverity: Hint 1, Info 2, Warning 4, Error 8. LSP: Error 1, Warning 2, Information 3, Hint 4.
const SEVERITY: Record<number, Monaco.MarkerSeverity> = { 1: 8, 2: 4, 3: 2, 4: 1 } as Record<number, Monaco.MarkerSeverity>;

export function toMarker(diagnostic: Diagnostic): Monaco.editor.IMarkerData {
  const code = diagnostic.code === undefined ? undefined : String(diagnostic.code);
  return {
    ...toMonacoRange(diagnostic.range),
    severity: SEVERITY[diagnostic.severity ?? 1] ?? (8 as Monaco.MarkerSeverity),
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
    source: diagnostic.source,
    code,
    // LSP and Monaco agree: Unnecessary 1, Deprecated 2.
    tags: diagnostic.tags?.map((tag) => tag as number as Monaco.MarkerTag),
  };
}

// LSP CompletionItemKind (1-based) -> monaco.languages.CompletionItemKind.
const KIND: Record<number, number> = {
  1: 18, // Text
  2: 0, // Method
  3: 1, // Function
  4: 2, // Constructor
  5: 3, // Field
  6: 4, // Variable
  7: 5, // Class
  8: 7, // Interface
  9: 8, // Module
  10: 9, // Property
  11: 12, // Unit
  12: 13, // Value
  13: 15, // Enum
  14: 17, // Keyword
  15: 27, // Snippet
  16: 19, // Color
  17: 20, // File
  18: 21, // Reference
  19: 23, // Folder
  20: 16, // EnumMember
  21: 14, // Constant
  22: 6, // Struct
  23: 10, // Event
  24: 11, // Operator
  25: 24, // TypeParameter
};

export function toCompletionKind(kind: number | undefined): Monaco.languages.CompletionItemKind {
  return (KIND[kind ?? 1] ?? 18) as Monaco.languages.CompletionItemKind;
}

function toMarkdown(content: MarkupContent | MarkedString | string): Monaco.IMarkdownString {
  if (typeof content === 'string') return { value: content };
  if ('kind' in content) return content.kind === 'markdown' ? { value: content.value } : { value: escapeMarkdown(content.value) };
  return { value: `\`\`\`${content.language}\n${content.value}\n\`\`\`` };
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function toDocumentation(documentation: string | MarkupContent | undefined): string | Monaco.IMarkdownString | undefined {
  if (documentation === undefined || typeof documentation === 'string') return documentation;
  return toMarkdown(documentation);
}

/** A completion item whose original LSP item rides along, for `completionItem/resolve`. */
export type CompletionWithSource = Monaco.languages.CompletionItem & { lsp: CompletionItem };

/**
 * `wordRange` is where the word being completed starts and the cursor is: the server's own
 * edit range when it gives one, otherwise this.
 */
export function toCompletionItem(item: CompletionItem, wordRange: IRange): CompletionWithSource {
  const edit = item.textEdit;
  let range: IRange | { insert: IRange; replace: IRange } = wordRange;
  let insertText = item.insertText ?? item.label;
  if (edit) {
    insertText = edit.newText;
    range = 'range' in edit ? toMonacoRange(edit.range) : { insert: toMonacoRange(edit.insert), replace: toMonacoRange(edit.replace) };
  }
  return {
    label: item.labelDetails ? { label: item.label, detail: item.labelDetails.detail, description: item.labelDetails.description } : item.label,
    kind: toCompletionKind(item.kind),
    detail: item.detail,
    documentation: toDocumentation(item.documentation),
    sortText: item.sortText,
    filterText: item.filterText,
    preselect: item.preselect,
    insertText,
    // InsertTextFormat.Snippet = 2 -> CompletionItemInsertTextRule.InsertAsSnippet = 4.
    insertTextRules: item.insertTextFormat === 2 ? (4 as Monaco.languages.CompletionItemInsertTextRule) : undefined,
    range,
    tags: item.tags?.map((tag) => tag as number as Monaco.languages.CompletionItemTag),
    lsp: item,
  };
}

export function toHover(hover: Hover | null): Monaco.languages.Hover | null {
  if (!hover) return null;
  const contents = Array.isArray(hover.contents) ? hover.contents : [hover.contents];
  const markdown = contents.map(toMarkdown).filter((part) => part.value.trim().length > 0);
  if (markdown.length === 0) return null;
  return { contents: markdown, range: hover.range ? toMonacoRange(hover.range) : undefined };
}

export function toSignatureHelp(help: SignatureHelp | null): Monaco.languages.SignatureHelp | null {
  if (!help || help.signatures.length === 0) return null;
  return {
    signatures: help.signatures.map((signature) => ({
      label: signature.label,
      documentation: toDocumentation(signature.documentation),
      parameters: (signature.parameters ?? []).map((parameter) => ({
        label: parameter.label,
        documentation: toDocumentation(parameter.documentation),
      })),
      activeParameter: signature.activeParameter ?? undefined,
    })),
    activeSignature: help.activeSignature ?? 0,
    activeParameter: help.activeParameter ?? 0,
  };
}
