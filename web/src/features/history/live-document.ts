import type * as Y from 'yjs';
import { DOC_NOTICES_KEY, DOC_TEXT_KEY, type RestoreNotice } from '@pairpad/shared';

/**
 * What History needs from the room's live text, whichever sync mode holds it: the text now,
 * a signal when it changes (diff, authorship refresh) and the notices others' restores write.
 * The page builds one from its session (see `session.bindText`); it is not Redux state.
 */
export interface LiveDocument {
  text(): string;
  /** Calls `listener` after every change to the text; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  /**
   * Calls `listener` with each notice added after this call (entries already there are old
   * news). A mode without the shared document has none.
   */
  onNotice(listener: (notice: RestoreNotice) => void): () => void;
}

/** The Yjs document: `code` text and the `notices` array the server appends to. */
export function liveYjsDocument(doc: Y.Doc): LiveDocument {
  const text = doc.getText(DOC_TEXT_KEY);
  const notices = doc.getArray<unknown>(DOC_NOTICES_KEY);
  return {
    text: () => text.toString(),
    onChange(listener) {
      const observer = (): void => listener();
      text.observe(observer);
      return () => text.unobserve(observer);
    },
    onNotice(listener) {
      const observer = (event: Y.YArrayEvent<unknown>): void => {
        for (const change of event.changes.delta) {
          if (!Array.isArray(change.insert)) continue;
          for (const entry of change.insert as unknown[]) if (isRestoreNotice(entry)) listener(entry);
        }
      };
      notices.observe(observer);
      return () => notices.unobserve(observer);
    },
  };
}

/** The simple-sync buffer: text and changes, no notices (the server does not send the document). */
export function liveBufferDocument(buffer: { readonly latestCode: string | null; onCode(listener: (code: string) => void): () => void }): LiveDocument {
  return {
    text: () => buffer.latestCode ?? '',
    onChange: (listener) => buffer.onCode(() => listener()),
    onNotice: () => () => {},
  };
}

/** The array is shared and anyone's client could write to it: only well-formed restore notes count. */
export function isRestoreNotice(value: unknown): value is RestoreNotice {
  if (typeof value !== 'object' || value === null) return false;
  const n = value as Record<string, unknown>;
  return (
    n.kind === 'restored' &&
    typeof n.by === 'string' &&
    typeof n.version === 'number' &&
    typeof n.versionAt === 'string' &&
    (n.versionName === null || typeof n.versionName === 'string') &&
    typeof n.backup === 'number' &&
    typeof n.at === 'string'
  );
}
