import * as Y from 'yjs';
import { replayStored } from '../rooms/doc-store';
import type { Tuning } from '../config';
import type { HistoryStore } from './history-store';

/**
 * Writes a checkpoint at the end of the log when enough follows the last one (`checkpointRows`
 * rows, or any rows once it is `checkpointMs` old): rebuilding any version then replays at most
 * that many rows onto a checkpoint. Built from what is stored, never from a live document, so it
 * is exactly the log up to its position.
 */
export async function checkpointIfDue(store: HistoryStore, roomId: string, tuning: Pick<Tuning['history'], 'checkpointRows' | 'checkpointMs'>, now = Date.now()): Promise<boolean> {
  const position = await store.logPosition(roomId);
  const last = await store.lastCheckpoint(roomId);
  if (last && last.through >= position) return false;
  const rowsSince = await store.countRows(roomId, last?.through ?? 0, tuning.checkpointRows);
  const old = !last || now - last.at.getTime() >= tuning.checkpointMs;
  if (rowsSince < tuning.checkpointRows && !(old && rowsSince > 0)) return false;
  const doc = replayStored(await store.readAt(roomId, position));
  try {
    await store.writeCheckpoint(roomId, position, Y.encodeStateAsUpdate(doc));
  } finally {
    doc.destroy();
  }
  return true;
}
