import { DOC_META_KEY, DOC_TEXT_KEY, META_KEYS } from '@pairpad/shared';
import * as Y from 'yjs';
import type { RoomSettings } from './room';

/** The first snapshot of a new room: its starting code and the meta every client renders. */
export function initialDocument(settings: Pick<RoomSettings, 'name' | 'language'>, code: string): Uint8Array {
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      if (code.length > 0) doc.getText(DOC_TEXT_KEY).insert(0, code);
      const meta = doc.getMap(DOC_META_KEY);
      meta.set(META_KEYS.name, settings.name);
      meta.set(META_KEYS.language, settings.language);
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}
