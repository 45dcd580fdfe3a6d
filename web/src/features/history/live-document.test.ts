import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DOC_NOTICES_KEY, DOC_TEXT_KEY, type RestoreNotice } from '@pairpad/shared';
import { liveBufferDocument, liveYjsDocument } from './live-document';

const notice = (version: number): RestoreNotice => ({
  kind: 'restored',
  by: 'Alice',
  version,
  versionAt: '2026-01-01T14:02:00Z',
  versionName: null,
  backup: version + 10,
  at: '2026-01-01T15:00:00Z',
});

describe('liveYjsDocument', () => {
  it('reports only notices added after subscribing, and skips malformed entries', () => {
    const doc = new Y.Doc();
    const notices = doc.getArray<unknown>(DOC_NOTICES_KEY);
    notices.push([notice(1)]);
    const live = liveYjsDocument(doc);
    const seen: number[] = [];
    const off = live.onNotice((n) => seen.push(n.version));
    notices.push([notice(2), { kind: 'restored', by: 42 }]);
    // The server trims the array in the same transaction as it appends.
    doc.transact(() => {
      notices.push([notice(3)]);
      notices.delete(0, 1);
    });
    off();
    notices.push([notice(4)]);
    expect(seen).toEqual([2, 3]);
  });

  it('reads the text and signals its changes', () => {
    const doc = new Y.Doc();
    const live = liveYjsDocument(doc);
    let changes = 0;
    const off = live.onChange(() => changes++);
    doc.getText(DOC_TEXT_KEY).insert(0, 'hello');
    expect(live.text()).toBe('hello');
    expect(changes).toBe(1);
    off();
  });
});

describe('liveBufferDocument', () => {
  it('follows the simple-sync buffer and has no notices', () => {
    const listeners = new Set<(code: string) => void>();
    const buffer = {
      latestCode: 'x' as string | null,
      onCode(listener: (code: string) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const live = liveBufferDocument(buffer);
    let changes = 0;
    live.onChange(() => changes++);
    buffer.latestCode = 'xy';
    for (const l of listeners) l('xy');
    expect(live.text()).toBe('xy');
    expect(changes).toBe(1);
    expect(typeof live.onNotice(() => {})).toBe('function');
  });
});
