import { isCssHexColor } from '@pairpad/shared';
import { monaco } from './monaco-setup';
import type { Disposable } from './disposable';
import type { Editor } from './editor-bindings';

/** A background tint over `start..end` (UTF-16 offsets into the text) with a hover line; plain data. */
export interface TextHighlight {
  start: number;
  end: number;
  /** `#rrggbb`; anything else is skipped (it would reach generated CSS). */
  color: string;
  hover: string;
}

export interface HighlightBinding extends Disposable {
  set(highlights: readonly TextHighlight[]): void;
}

/** One stylesheet for every editor: a class per colour, created the first time a colour is used. */
const classes = new Map<string, string>();
let sheet: HTMLStyleElement | null = null;

export function highlightClass(color: string): string {
  const key = color.toLowerCase();
  let name = classes.get(key);
  if (name) return name;
  name = `pp-author-${key.slice(1)}`;
  classes.set(key, name);
  if (!sheet) {
    sheet = document.createElement('style');
    sheet.dataset.pairpad = 'highlights';
    document.head.appendChild(sheet);
  }
  // 0x4d = 30 % alpha: the text stays readable over any roster colour.
  sheet.appendChild(document.createTextNode(`.monaco-editor .${name} { background-color: ${key}4d; border-radius: 2px; }\n`));
  return name;
}

/**
 * Tints ranges of the editor's text (authorship): Monaco decorations with an inline class per
 * colour and a hover message. Offsets past the end are clamped by the model, so ranges computed
 * for a slightly older text never throw; the next `set` replaces them all.
 */
export function bindHighlights(editor: Editor): HighlightBinding {
  const collection = editor.createDecorationsCollection();
  return {
    set(highlights) {
      const model = editor.getModel();
      if (!model) return;
      const decorations: monaco.editor.IModelDeltaDecoration[] = [];
      for (const h of highlights) {
        if (h.end <= h.start || !isCssHexColor(h.color)) continue;
        const from = model.getPositionAt(h.start);
        const to = model.getPositionAt(h.end);
        decorations.push({
          range: new monaco.Range(from.lineNumber, from.column, to.lineNumber, to.column),
          options: {
            inlineClassName: highlightClass(h.color),
            hoverMessage: { value: h.hover, isTrusted: false, supportHtml: false },
            stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
          },
        });
      }
      collection.set(decorations);
    },
    dispose: () => collection.clear(),
  };
}
