import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { Language } from '@pairpad/shared';
import { monaco } from './monaco-setup';
import {
  bindAutocomplete,
  bindUndoKeys,
  clampLineQueries,
  createCodeEditor,
  exposeForTests,
  guardEditSize,
  type AutocompleteOptions,
  type Editor,
} from './editor-bindings';
import { bindSessionText, type TextBinding, type UndoState } from './text-binding';
import { createScope } from './disposable';
import { bindHighlights, type HighlightBinding, type TextHighlight } from './highlights';
import type { RoomSession } from './room-session';
import { useLatest } from '../../lib/use-latest';
import { bindLanguageServices, type LanguageStatus } from './language/language-services';

export interface CodeEditorProps {
  session: RoomSession;
  language: Language;
  readOnly: boolean;
  followClientId: number | null;
  onStopFollow(): void;
  /** Ghost-text suggestions (editors only). */
  autocomplete: AutocompleteOptions & { enabled: boolean };
  /** Tinted ranges over the text (authorship); empty or absent for none. */
  highlights?: readonly TextHighlight[];
}

/**
 * Monaco bound to the session: y-monaco for Yjs (cursors, own-edits undo), or whole-buffer
 * writes for the LWW fallback; the session picks (see bindSessionText). Monaco objects never
 * leave this component. Each concern is a binding that returns a disposable, composed below.
 */
export function CodeEditor(props: CodeEditorProps): ReactElement {
  const container = useRef<HTMLDivElement>(null);
  const propsRef = useLatest(props);
  const editorRef = useRef<Editor | null>(null);
  const textRef = useRef<TextBinding | null>(null);
  const highlightsRef = useRef<HighlightBinding | null>(null);
  const [undoState, setUndoState] = useState<UndoState>({ canUndo: false, canRedo: false });
  const [languageStatus, setLanguageStatus] = useState<LanguageStatus>({ state: 'off' });
  const { session } = props;

  useEffect(() => {
    const host = container.current;
    if (!host) return;
    const scope = createScope();
    const { editor, model } = scope.add(createCodeEditor(host, propsRef.current.language, session.readOnly));
    scope.add(clampLineQueries(editor, model));
    if (!session.readOnly) scope.add(guardEditSize(host, editor, model));
    scope.add(exposeForTests(editor, model));
    // Diagnostics, completion list, hover: each browser runs its own, on its own copy of the text.
    scope.add(bindLanguageServices(editor, model, { onStatus: setLanguageStatus }));

    let autocomplete: { typed(): void } | null = null;
    const text = scope.add(
      bindSessionText(session, editor, model, () => {
        session.markTyping();
        autocomplete?.typed();
        if (propsRef.current.followClientId !== null) propsRef.current.onStopFollow();
      }),
    );
    if (text.undo) {
      scope.add(text.undo.onChange(setUndoState));
      scope.add(bindUndoKeys(editor, text.undo));
    }
    if (!session.readOnly && propsRef.current.autocomplete.enabled) {
      autocomplete = scope.add(
        bindAutocomplete(editor, model, () => ({ ...propsRef.current.autocomplete, language: propsRef.current.language })),
      );
    }

    const highlights = scope.add(bindHighlights(editor));
    highlights.set(propsRef.current.highlights ?? []);

    editorRef.current = editor;
    textRef.current = text;
    highlightsRef.current = highlights;
    return () => {
      editorRef.current = null;
      textRef.current = null;
      highlightsRef.current = null;
      scope.dispose();
    };
  }, [session, propsRef]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (model && model.getLanguageId() !== props.language) monaco.editor.setModelLanguage(model, props.language);
  }, [props.language]);

  useEffect(() => {
    highlightsRef.current?.set(props.highlights ?? []);
  }, [props.highlights]);

  useEffect(() => {
    editorRef.current?.updateOptions({ readOnly: props.readOnly, domReadOnly: props.readOnly });
  }, [props.readOnly]);

  useEffect(() => {
    const follow = props.followClientId;
    const text = textRef.current;
    if (follow === null || !text) return;
    const following = text.follow(follow);
    return () => following.dispose();
  }, [props.followClientId, session]);

  const readOnly = session.readOnly;
  const runUndo = (action: 'undo' | 'redo'): void => {
    textRef.current?.undo?.[action]();
    editorRef.current?.focus();
  };
  return (
    <div className="editor-shell">
      <div ref={container} className="editor-host" data-testid="editor" data-readonly={readOnly ? 'true' : 'false'} />
      {((session.traits.supportsUndo && !readOnly) || languageStatus.state !== 'off') && (
        <div className="editor-actions">
          {languageStatus.state !== 'off' && (
            <span
              className="language-status"
              data-testid="language-status"
              data-state={languageStatus.state}
              role="status"
              style={{ marginRight: 'auto', fontSize: 12, color: languageStatus.state === 'failed' ? 'var(--danger)' : 'var(--muted)' }}
            >
              {languageStatus.state === 'loading' ? '⏳ ' : ''}
              {languageStatus.message}
            </span>
          )}
          {session.traits.supportsUndo && !readOnly && (
            <>
              <button
                type="button"
                className="icon-button"
                data-testid="undo"
                title="Undo your last edit (Ctrl+Z) — never your partner's"
                disabled={!undoState.canUndo}
                onClick={() => runUndo('undo')}
              >
                ↶ Undo
              </button>
              <button
                type="button"
                className="icon-button"
                data-testid="redo"
                title="Redo (Ctrl+Shift+Z)"
                disabled={!undoState.canRedo}
                onClick={() => runUndo('redo')}
              >
                ↷ Redo
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}
