import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import type { YClient } from './helpers';

/** Edits are whole lines `[label]\n` inserted at line starts, so no edit ever splits another. */
export const TOKEN_PATTERN = /\[([a-z0-9.]+)\]/g;

export function tokensIn(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(TOKEN_PATTERN)) counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  return counts;
}

/** Inserts `[label]\n` (or `[label]<padding>\n`) at a random line start of the client's text. */
export function insertToken(client: YClient, label: string, random: () => number, padding = ''): void {
  const text = client.text.toString();
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const at = starts[Math.floor(random() * starts.length)]!;
  client.text.insert(at, `[${label}]${padding}\n`);
}

/** Records when an observer first saw each token: the server had applied that edit by then. */
export function trackAcks(observer: YClient): Map<string, number> {
  const acked = new Map<string, number>();
  observer.text.observe((event) => {
    const now = performance.now();
    for (const op of event.delta) {
      if (typeof op.insert !== 'string') continue;
      for (const match of op.insert.matchAll(TOKEN_PATTERN)) if (!acked.has(match[1]!)) acked.set(match[1]!, now);
    }
  });
  return acked;
}

export interface LocalUpdate {
  client: number;
  /** The client's clock after this update: the update is contained in a state vector iff sv[client] >= clockAfter. */
  clockAfter: number;
  update: Uint8Array;
}

/** Records every local transaction of a client, in order, for replaying the surviving prefix. */
export function recordLocalUpdates(client: YClient, into: LocalUpdate[]): void {
  client.doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === client.provider) return;
    into.push({ client: client.doc.clientID, clockAfter: Y.getState(client.doc.store, client.doc.clientID), update });
  });
}

/**
 * Checks that `restored` is exactly `base` plus a per-client prefix of the recorded updates: no torn
 * update, nothing pending, nothing that was never written. Returns a description of the first
 * difference, or null.
 */
export function checkPrefixConsistency(restored: Y.Doc, base: Uint8Array, updates: readonly LocalUpdate[]): string | null {
  if (restored.store.pendingStructs || restored.store.pendingDs) return 'restored document has pending (undecodable) structs';
  const sv = Y.decodeStateVector(Y.encodeStateVector(restored));
  const expected = new Y.Doc();
  try {
    Y.applyUpdate(expected, base);
    for (const record of updates) {
      const have = sv.get(record.client) ?? 0;
      if (have >= record.clockAfter) Y.applyUpdate(expected, record.update);
    }
    const expectedSv = Y.decodeStateVector(Y.encodeStateVector(expected));
    for (const [client, clock] of sv) {
      if (expectedSv.get(client) !== clock) return `client ${client}: restored clock ${clock}, but no update boundary there (expected ${expectedSv.get(client)})`;
    }
    for (const [client, clock] of expectedSv) if (sv.get(client) !== clock) return `client ${client} missing from restored state vector (expected ${clock})`;
    const want = expected.getText('code').toString();
    const got = restored.getText('code').toString();
    if (want !== got) return `text differs from the replayed prefix (${got.length} vs ${want.length} chars)`;
    return null;
  } finally {
    expected.destroy();
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
