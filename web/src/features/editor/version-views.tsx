import { useEffect, useRef, type ReactElement } from 'react';
import type { Language } from '@pairpad/shared';
import { monaco } from './monaco-setup';

const VIEW_OPTIONS = {
  theme: 'pairpad-dark',
  automaticLayout: true,
  readOnly: true,
  domReadOnly: true,
  minimap: { enabled: false },
  fontSize: 13,
  lineHeight: 20,
  fontFamily: "'JetBrains Mono', 'Fira Code', ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace",
  scrollBeyondLastLine: false,
} as const;

export interface DiffViewProps {
  /** The version's text (left). */
  original: string;
  /** The text now (right). */
  modified: string;
  language: Language;
}

/**
 * Monaco's diff editor, read-only: a version against the text now. The models are updated in
 * place as the live text changes, so the view keeps its scroll position.
 */
export function DiffView({ original, modified, language }: DiffViewProps): ReactElement {
  const host = useRef<HTMLDivElement>(null);
  const models = useRef<{ original: monaco.editor.ITextModel; modified: monaco.editor.ITextModel } | null>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const diff = monaco.editor.createDiffEditor(element, {
      ...VIEW_OPTIONS,
      originalEditable: false,
      renderSideBySide: true,
      useInlineViewWhenSpaceIsLimited: true,
    });
    const pair = { original: monaco.editor.createModel('', language), modified: monaco.editor.createModel('', language) };
    diff.setModel(pair);
    models.current = pair;
    return () => {
      models.current = null;
      diff.dispose();
      pair.original.dispose();
      pair.modified.dispose();
    };
    // The language changes through setModelLanguage below, not a new editor.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const pair = models.current;
    if (!pair) return;
    if (pair.original.getValue() !== original) pair.original.setValue(original);
    if (pair.modified.getValue() !== modified) pair.modified.setValue(modified);
  }, [original, modified]);

  useEffect(() => {
    const pair = models.current;
    if (!pair) return;
    monaco.editor.setModelLanguage(pair.original, language);
    monaco.editor.setModelLanguage(pair.modified, language);
  }, [language]);

  return <div ref={host} className="version-view" data-testid="version-diff" />;
}

export interface CodeViewProps {
  text: string;
  language: Language;
}

/** A read-only Monaco view of one text (a replay step). */
export function CodeView({ text, language }: CodeViewProps): ReactElement {
  const host = useRef<HTMLDivElement>(null);
  const modelRef = useRef<monaco.editor.ITextModel | null>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const model = monaco.editor.createModel('', language);
    const editor = monaco.editor.create(element, { ...VIEW_OPTIONS, model });
    modelRef.current = model;
    return () => {
      modelRef.current = null;
      editor.dispose();
      model.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const model = modelRef.current;
    if (model && model.getValue() !== text) model.setValue(text);
  }, [text]);

  useEffect(() => {
    const model = modelRef.current;
    if (model) monaco.editor.setModelLanguage(model, language);
  }, [language]);

  return <div ref={host} className="version-view" data-testid="replay-code" data-text-length={text.length} />;
}
