import * as Y from 'yjs';
import { roomRef, type Logger } from '../log';
import { replayStored } from '../rooms/doc-store';
import type { Tuning } from '../config';
import type { HistoryStore } from './history-store';

/** Rows read per merge step, and rooms per pass. */
const MERGE_PAGE = 5_000;
const ROOMS_PER_PASS = 200;
const DAY_MS = 24 * 60 * 60_000;

export type RetentionPolicy = Pick<Tuning['history'], 'rawWindowMs' | 'mergedWindowMs' | 'roomCapBytes'>;

export interface ThinningResult {
  rowsMerged: number;
  /** Whether the log was dropped up to a horizon (and to which age). */
  coarsenedTo: 'merged_window' | 'one_day' | 'raw_window' | null;
}

/**
 * Merges log rows older than the raw window per author and minute. Never across a version or a
 * checkpoint, so each still rebuilds exactly; the merged row takes the group's last position.
 */
async function mergeOldRows(store: HistoryStore, roomId: string, before: Date): Promise<number> {
  let merged = 0;
  for (;;) {
    const { rows, boundaries } = await store.rowsToMerge(roomId, before, MERGE_PAGE);
    if (rows.length === 0) return merged;
    const cuts = new Set(boundaries);
    const groups = new Map<string, { ids: number[]; updates: Uint8Array[] }>();
    let segment = 0;
    for (const row of rows) {
      const key = `${segment}\u0000${row.author ?? ''}\u0000${row.sessionId ?? ''}\u0000${row.serverMade ? 1 : 0}\u0000${Math.floor(row.at.getTime() / 60_000)}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { ids: [], updates: [] }));
      group.ids.push(row.id);
      group.updates.push(row.update);
      if (cuts.has(row.id)) segment++;
    }
    const replacements = [...groups.values()]
      .filter((group) => group.ids.length > 1)
      .map((group) => ({ keepId: group.ids.at(-1)!, update: Y.mergeUpdates(group.updates), dropIds: group.ids.slice(0, -1) }));
    await store.saveMerged(roomId, replacements, rows.at(-1)!.id);
    merged += replacements.reduce((sum, group) => sum + group.dropIds.length, 0);
    if (rows.length < MERGE_PAGE) return merged;
  }
}

async function writeCheckpointAt(store: HistoryStore, roomId: string, through: number): Promise<void> {
  if (await store.hasCheckpointAt(roomId, through)) return;
  const doc = replayStored(await store.readAt(roomId, through));
  try {
    await store.writeCheckpoint(roomId, through, Y.encodeStateAsUpdate(doc));
  } finally {
    doc.destroy();
  }
}

/**
 * Drops the log written before `before`: named versions and the last version of each day stay,
 * each with a checkpoint at exactly its position, and a checkpoint at the horizon carries the
 * rows after it. Returns false when there was nothing to drop.
 */
async function dropLogBefore(store: HistoryStore, roomId: string, before: Date): Promise<boolean> {
  const horizon = await store.positionBefore(roomId, before);
  if (horizon === 0) return false;
  const versions = (await store.listVersions(roomId, { limit: 100_000 })).filter((version) => version.through <= horizon);
  const lastOfDay = new Map<number, number>();
  for (const version of versions) {
    const day = Math.floor(version.createdAt.getTime() / DAY_MS);
    // Newest first: the first seen of a day is its last.
    if (!lastOfDay.has(day)) lastOfDay.set(day, version.id);
  }
  const keep = versions.filter((version) => version.kind === 'named' || lastOfDay.get(Math.floor(version.createdAt.getTime() / DAY_MS)) === version.id);
  for (const through of new Set([...keep.map((version) => version.through), horizon])) await writeCheckpointAt(store, roomId, through);
  await store.dropLogThrough(roomId, horizon, keep.map((version) => version.id));
  return true;
}

/**
 * One room's retention: the raw window as typed; older rows merged per author and minute; past
 * the merged window only named versions and one version a day. Over the room's cap, the oldest
 * tier is coarsened sooner: the log is dropped past one day, then past the raw window.
 */
export async function thinRoomHistory(store: HistoryStore, roomId: string, now: Date, policy: RetentionPolicy): Promise<ThinningResult> {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const rowsMerged = await mergeOldRows(store, roomId, ago(policy.rawWindowMs));
  let coarsenedTo: ThinningResult['coarsenedTo'] = (await dropLogBefore(store, roomId, ago(policy.mergedWindowMs))) ? 'merged_window' : null;
  for (const [tier, age] of [
    ['one_day', DAY_MS],
    ['raw_window', policy.rawWindowMs],
  ] as const) {
    if ((await store.historyBytes(roomId)) <= policy.roomCapBytes) break;
    if (await dropLogBefore(store, roomId, ago(Math.min(age, policy.mergedWindowMs)))) coarsenedTo = tier;
  }
  return { rowsMerged, coarsenedTo };
}

/** Runs retention over every room with rows past the raw window, on a timer. */
export function createHistoryRetention(deps: { store: HistoryStore; policy: RetentionPolicy; logger: Logger }) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const runOnce = (now = new Date()): Promise<void> =>
    (running ??= (async () => {
      const ago = (ms: number) => new Date(now.getTime() - ms);
      const rooms = await deps.store.roomsToThin(ago(deps.policy.rawWindowMs), ago(deps.policy.mergedWindowMs), ROOMS_PER_PASS);
      for (const roomId of rooms) {
        try {
          const result = await thinRoomHistory(deps.store, roomId, now, deps.policy);
          if (result.rowsMerged > 0 || result.coarsenedTo) deps.logger.debug({ room: roomRef(roomId), ...result }, 'history thinned');
        } catch (error) {
          deps.logger.warn({ err: error, room: roomRef(roomId) }, 'history retention failed for a room; will retry');
        }
      }
    })().finally(() => {
      running = null;
    }));
  return {
    runOnce,
    start(intervalMs: number): void {
      timer ??= setInterval(() => {
        runOnce().catch((error: unknown) => deps.logger.warn({ err: error }, 'history retention failed; will retry'));
      }, intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => {});
    },
  };
}
