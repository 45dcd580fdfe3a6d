import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, createRoomLeases, documentsRepo, FencedError, migrateToLatest, ownersRepo, roomsRepo, type DatabaseHandle } from '../src/index';
import { createTestDatabase, truncateAllTables, type TestDatabase } from '../src/testing';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

/**
 * The persistence contract, written once and run against every dialect
 * (PGlite always; PostgreSQL when TEST_DATABASE_URL is set).
 */
export function repoContractSuite(dialectName: string, postgresUrl?: string): void {
  describe(`persistence contract on ${dialectName}`, () => {
    // One database per file, emptied between tests: starting one per test cost most of the suite.
    let testDb: TestDatabase;
    let shared: DatabaseHandle;
    let handle: DatabaseHandle;

    beforeAll(async () => {
      testDb = await createTestDatabase(postgresUrl);
      shared = await createDatabase(testDb.config);
      await migrateToLatest(shared.db);
    });

    afterAll(async () => {
      await shared.close();
      await testDb.drop();
    });

    beforeEach(async () => {
      handle = shared;
      await truncateAllTables(shared.db);
    });

    // The repository as the server builds it: with COPY where the dialect offers it.
    const documents = () => documentsRepo(handle.db, handle.copyRows);

    const newRoom = async (roomId = 'room_abcdef', viewId = 'view_abcdef') =>
      roomsRepo(handle.db).create({ room_id: roomId, view_id: viewId, name: 'Pair', language: 'python', capacity: 5 });

    it('[DB-migrate] migrating a fresh database applies the migrations; migrating twice is a no-op', async () => {
      // Its own, empty database: on PGlite the shared one starts from an already-migrated template.
      const own = await createTestDatabase(postgresUrl, { fresh: true });
      handle = await createDatabase(own.config);
      try {
        expect(await migrateToLatest(handle.db)).not.toEqual([]);
        expect(await migrateToLatest(handle.db)).toEqual([]);
      } finally {
        await handle.close();
        await own.drop();
      }
    });

    it('[DB-rooms] creates, finds by room id and by view id, updates', async () => {
      const repo = roomsRepo(handle.db);
      const created = await newRoom();
      expect(created.capacity).toBe(5);
      expect(created.created_at).toBeInstanceOf(Date);
      expect((await repo.get('room_abcdef'))?.view_id).toBe('view_abcdef');
      expect((await repo.getByViewId('view_abcdef'))?.room_id).toBe('room_abcdef');
      expect(await repo.get('missing_room')).toBeUndefined();
      const updated = await repo.update('room_abcdef', { name: 'Renamed', capacity: 7 });
      expect(updated?.name).toBe('Renamed');
      expect(updated?.capacity).toBe(7);
      expect(updated!.updated_at.getTime()).toBeGreaterThanOrEqual(created.updated_at.getTime());
      expect(await repo.update('missing_room', { name: 'x' })).toBeUndefined();
    });

    it('[DB-rooms] refuses a duplicate view id', async () => {
      await newRoom('room_one111', 'view_same11');
      await expect(newRoom('room_two222', 'view_same11')).rejects.toThrow();
    });

    it('[DB-load] an unknown room loads as empty, not as an error', async () => {
      expect(await documents().load('nobody_here')).toEqual({ snapshot: null, updates: [], through: 0 });
    });

    it('[DB-append] appended updates load back in order, byte for byte', async () => {
      await newRoom();
      const docs = documents();
      await docs.append('room_abcdef', [{ update: bytes(1, 2, 3), sessionId: 's1', author: 'Ada' }]);
      const through = await docs.append('room_abcdef', [{ update: bytes(4) }, { update: bytes(5, 6) }]);
      const loaded = await docs.load('room_abcdef');
      expect(loaded.snapshot).toBeNull();
      expect(loaded.updates).toEqual([bytes(1, 2, 3), bytes(4), bytes(5, 6)]);
      expect(loaded.updates[0]).toBeInstanceOf(Uint8Array);
      expect(loaded.through).toBe(through);
    });

    it('[DB-compact] compaction folds the log into the snapshot and keeps later rows', async () => {
      await newRoom();
      const docs = documents();
      const first = await docs.load('room_abcdef');
      await docs.append('room_abcdef', [{ update: bytes(1) }, { update: bytes(2) }]);
      const beforeCompact = await docs.load('room_abcdef');
      expect(beforeCompact.through).toBeGreaterThan(first.through);
      // A write that lands between the load and the compaction must survive it.
      await docs.append('room_abcdef', [{ update: bytes(3) }]);
      await docs.compact('room_abcdef', { state: bytes(9, 9), through: beforeCompact.through });
      const after = await docs.load('room_abcdef');
      expect(after.snapshot).toEqual(bytes(9, 9));
      expect(after.updates).toEqual([bytes(3)]);
      // The folded rows stay in the log as history; a load reads only the one after the snapshot.
      expect(await docs.storedBytes('room_abcdef')).toMatchObject({ logRows: 1, historyRows: 3 });

      // Compacting again replaces the snapshot rather than adding a second one.
      await docs.compact('room_abcdef', { state: bytes(7), through: after.through });
      expect(await docs.load('room_abcdef')).toEqual({ snapshot: bytes(7), updates: [], through: after.through });
    });

    it('[ATK-nul] a room and its first snapshot are created together, or not at all', async () => {
      const rooms = roomsRepo(handle.db);
      const row = { room_id: 'room_whole1', view_id: 'view_whole1', name: 'Whole', language: 'c', capacity: 5 };
      const created = await rooms.createWithDocument(row, bytes(1, 2, 3));
      expect(created.room_id).toBe('room_whole1');
      expect(await documents().load('room_whole1')).toEqual({ snapshot: bytes(1, 2, 3), updates: [], through: 0 });

      // The snapshot insert fails after the room insert succeeded: neither is kept.
      await sql`alter table documents add constraint refuse_all_for_test check (false) not valid`.execute(handle.db);
      await expect(rooms.createWithDocument({ ...row, room_id: 'room_half01', view_id: 'view_half01' }, bytes(4))).rejects.toThrow();
      await sql`alter table documents drop constraint refuse_all_for_test`.execute(handle.db);
      expect(await rooms.get('room_half01')).toBeUndefined();
      expect(await rooms.getByViewId('view_half01')).toBeUndefined();
      // A duplicate view id (the room insert fails) leaves no document behind either.
      await expect(rooms.createWithDocument({ ...row, room_id: 'room_dup001' }, bytes(5))).rejects.toThrow();
      expect(await documents().load('room_dup001')).toEqual({ snapshot: null, updates: [], through: 0 });
    });

    it('[ATK-nul] a snapshot of a document holding NUL and other control characters is stored and loads back', async () => {
      await newRoom();
      const docs = documents();
      // The Yjs state encodes text as UTF-8, so a typed NUL is a 0x00 byte in it.
      const state = new TextEncoder().encode('a\u0000b\u0001\u007f\u0085\u202e');
      await docs.compact('room_abcdef', { state, through: 0 });
      expect((await docs.load('room_abcdef')).snapshot).toEqual(state);
      const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'documents' order by column_name`.execute(handle.db);
      expect(columns.rows.map((row) => row.column_name)).toEqual(['attributed_through', 'compacted_through', 'merged_through', 'room_id', 'snapshot_version', 'state', 'updated_at']);
    });

    it('[DB-append] appendMany writes several rooms in one call and reports the last id per room', async () => {
      await newRoom('room_many01', 'view_many01');
      await newRoom('room_many02', 'view_many02');
      const docs = documents();
      const through = await docs.appendMany([
        { roomId: 'room_many01', records: [{ update: bytes(1) }, { update: bytes(2), author: 'Ada', sessionId: 's' }] },
        { roomId: 'room_many02', records: [{ update: bytes(3) }] },
      ]);
      const one = await docs.load('room_many01');
      const two = await docs.load('room_many02');
      expect(one.updates).toEqual([bytes(1), bytes(2)]);
      expect(two.updates).toEqual([bytes(3)]);
      expect(through.get('room_many01')).toBe(one.through);
      expect(through.get('room_many02')).toBe(two.through);
      expect(await docs.appendMany([])).toEqual(new Map());
    });

    it('[DB-compact] snapshots of 0 bytes and of 1 MB come back byte for byte', async () => {
      await newRoom();
      const docs = documents();
      const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 7919) % 256);
      await docs.compact('room_abcdef', { state: big, through: 0 });
      const loaded = await docs.load('room_abcdef');
      expect(loaded.snapshot).toBeInstanceOf(Uint8Array);
      expect(Buffer.compare(Buffer.from(loaded.snapshot!), Buffer.from(big))).toBe(0);
      await docs.compact('room_abcdef', { state: new Uint8Array(0), through: 0 });
      expect((await docs.load('room_abcdef')).snapshot).toEqual(new Uint8Array(0));
    });

    const pattern = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (i * 7919 + seed) % 251);
    const sameBytes = (a: Uint8Array | null, b: Uint8Array) => a !== null && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

    it('[DUR-kill-bigdoc] a big snapshot is written in pieces: log appends issued meanwhile are not held until it is done', async () => {
      await newRoom();
      const docs = documents();
      const order: string[] = [];
      const big = pattern(4 * 1024 * 1024, 1);
      const compacting = docs.compact('room_abcdef', { state: big, through: 0 }).then(() => order.push('compact'));
      // Let the compaction reach the database before the append is issued.
      await new Promise((resolve) => setImmediate(resolve));
      const appending = docs.append('room_abcdef', [{ update: bytes(42) }]).then(() => order.push('append'));
      await Promise.all([compacting, appending]);
      expect(order).toEqual(['append', 'compact']);
      const loaded = await docs.load('room_abcdef');
      expect(sameBytes(loaded.snapshot, big)).toBe(true);
      expect(loaded.updates).toEqual([bytes(42)]);
    });

    it('[DUR-kill-bigdoc] replacing a big snapshot keeps only the new one; a smaller one goes back inline', async () => {
      await newRoom();
      const docs = documents();
      const first = pattern(700 * 1024, 2);
      const second = pattern(300 * 1024 + 5, 3);
      await docs.compact('room_abcdef', { state: first, through: 0 });
      await docs.compact('room_abcdef', { state: second, through: 0 });
      expect(sameBytes((await docs.load('room_abcdef')).snapshot, second)).toBe(true);
      expect((await docs.storedBytes('room_abcdef')).snapshot).toBe(second.byteLength);
      await docs.compact('room_abcdef', { state: bytes(1, 2), through: 0 });
      expect((await docs.load('room_abcdef')).snapshot).toEqual(bytes(1, 2));
      expect((await docs.storedBytes('room_abcdef')).snapshot).toBe(2);
    });

    it('[DUR-kill-bigdoc] pieces left by a compaction that died are ignored by loads and removed by the next compaction', async () => {
      await newRoom();
      const docs = documents();
      const kept = pattern(500 * 1024, 4);
      await docs.compact('room_abcdef', { state: kept, through: 0 });
      // What a crash after two chunk writes leaves behind: chunks of a version nothing names.
      await handle.db
        .insertInto('document_snapshot_chunks')
        .values([0, 1].map((seq) => ({ room_id: 'room_abcdef', version: 999_999, seq, chunk: pattern(64 * 1024, 5) })))
        .execute();
      expect(sameBytes((await docs.load('room_abcdef')).snapshot, kept)).toBe(true);
      const next = pattern(400 * 1024, 6);
      await docs.compact('room_abcdef', { state: next, through: 0 });
      expect(sameBytes((await docs.load('room_abcdef')).snapshot, next)).toBe(true);
      expect((await docs.storedBytes('room_abcdef')).snapshot).toBe(next.byteLength);
    });

    it('[DUR-kill-bigdoc] two compactions of one room racing leave one whole snapshot, never a mix of both', async () => {
      await newRoom();
      const docs = documents();
      const one = pattern(600 * 1024, 7);
      const two = pattern(650 * 1024, 8);
      const results = await Promise.allSettled([
        docs.compact('room_abcdef', { state: one, through: 0 }),
        docs.compact('room_abcdef', { state: two, through: 0 }),
      ]);
      expect(results.some((result) => result.status === 'fulfilled')).toBe(true);
      const { snapshot } = await docs.load('room_abcdef');
      expect(sameBytes(snapshot, one) || sameBytes(snapshot, two)).toBe(true);
      expect((await docs.storedBytes('room_abcdef')).snapshot).toBe(snapshot!.byteLength);
    });

    it('[CLU-fence] each claim of a room hands out the next epoch; appends with an older one are refused whole', async () => {
      await newRoom('room_fence1', 'view_fence1');
      await newRoom('room_fence2', 'view_fence2');
      const owners = ownersRepo(handle.db);
      const docs = documents();
      expect(await owners.owner('room_fence1')).toBeUndefined();
      const first = await owners.claim('room_fence1', 'a', 'ws://a');
      const other = await owners.claim('room_fence2', 'a', 'ws://a');
      await docs.appendMany([{ roomId: 'room_fence1', records: [{ update: bytes(1) }], epoch: first }]);
      const second = await owners.claim('room_fence1', 'b', 'ws://b');
      expect(second).toBe(first + 1);
      expect(await owners.owner('room_fence1')).toEqual({ instanceId: 'b', address: 'ws://b', epoch: second });

      const stale = docs.appendMany([
        { roomId: 'room_fence2', records: [{ update: bytes(7) }], epoch: other },
        { roomId: 'room_fence1', records: [{ update: bytes(2) }], epoch: first },
      ]);
      await expect(stale).rejects.toBeInstanceOf(FencedError);
      await expect(stale).rejects.toMatchObject({ roomIds: ['room_fence1'] });
      // Refused whole: the current room of the same batch got nothing either.
      expect((await docs.load('room_fence2')).updates).toEqual([]);
      expect((await docs.load('room_fence1')).updates).toEqual([bytes(1)]);
      // A room nobody has claimed is not writable with an epoch either.
      await newRoom('room_fence3', 'view_fence3');
      await expect(docs.appendMany([{ roomId: 'room_fence3', records: [{ update: bytes(3) }], epoch: 1 }])).rejects.toBeInstanceOf(FencedError);

      await docs.appendMany([{ roomId: 'room_fence1', records: [{ update: bytes(3) }], epoch: second }]);
      expect((await docs.load('room_fence1')).updates).toEqual([bytes(1), bytes(3)]);
    });

    it('[CLU-fence] a compaction with an older epoch is refused and changes nothing', async () => {
      await newRoom();
      const owners = ownersRepo(handle.db);
      const docs = documents();
      const first = await owners.claim('room_abcdef', 'a', 'ws://a');
      await docs.append('room_abcdef', [{ update: bytes(1) }]);
      await docs.compact('room_abcdef', { state: bytes(5), through: 0, epoch: first });
      await owners.claim('room_abcdef', 'b', 'ws://b');
      const { through } = await docs.load('room_abcdef');
      await expect(docs.compact('room_abcdef', { state: bytes(9), through, epoch: first })).rejects.toBeInstanceOf(FencedError);
      await expect(docs.compact('room_abcdef', { state: pattern(300 * 1024, 9), through, epoch: first })).rejects.toBeInstanceOf(FencedError);
      expect(await docs.load('room_abcdef')).toEqual({ snapshot: bytes(5), updates: [bytes(1)], through });
      expect((await docs.storedBytes('room_abcdef')).snapshot).toBe(1);
    });

    it('[CLU-fence] foldStored folds what is stored, snapshot and every log row, under the current epoch only', async () => {
      await newRoom();
      const owners = ownersRepo(handle.db);
      const docs = documents();
      const epoch = await owners.claim('room_abcdef', 'a', 'ws://a');
      await docs.compact('room_abcdef', { state: bytes(1), through: 0 });
      await docs.append('room_abcdef', [{ update: bytes(2) }, { update: bytes(3) }]);
      const join = (stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }) =>
        new Uint8Array([...(stored.snapshot ?? []), ...stored.updates.flatMap((update) => [...update])]);
      const through = await docs.foldStored('room_abcdef', epoch, join);
      expect(await docs.load('room_abcdef')).toEqual({ snapshot: bytes(1, 2, 3), updates: [], through });

      // A big fold is stored in chunks like any big snapshot.
      const big = pattern(400 * 1024, 10);
      await docs.append('room_abcdef', [{ update: big }]);
      await docs.foldStored('room_abcdef', epoch, join);
      const folded = await docs.load('room_abcdef');
      expect(sameBytes(folded.snapshot, new Uint8Array([1, 2, 3, ...big]))).toBe(true);

      await owners.claim('room_abcdef', 'b', 'ws://b');
      await expect(docs.foldStored('room_abcdef', epoch, () => bytes(0))).rejects.toBeInstanceOf(FencedError);
      expect(sameBytes((await docs.load('room_abcdef')).snapshot, new Uint8Array([1, 2, 3, ...big]))).toBe(true);
    });

    it.runIf(postgresUrl)('[CLU-lease] a room lease is held by one instance; when its connection dies the lease frees at once and the old epoch is fenced', async () => {
      await newRoom();
      const url = testDb.config.kind === 'postgres' ? testDb.config.url : '';
      const lostA: string[][] = [];
      const a = createRoomLeases(url, (rooms) => lostA.push(rooms));
      const b = createRoomLeases(url, () => {});
      try {
        const owners = ownersRepo(handle.db);
        const docs = documents();
        expect(await a.tryAcquire('room_abcdef')).toBe(true);
        expect(await a.tryAcquire('room_abcdef')).toBe(true);
        const epochA = await owners.claim('room_abcdef', 'a', 'ws://a');
        expect(await b.tryAcquire('room_abcdef')).toBe(false);
        expect(await b.tryAcquire('room_other1')).toBe(true);
        await docs.appendMany([{ roomId: 'room_abcdef', records: [{ update: bytes(1) }], epoch: epochA }]);

        // What kill -9 does to the owner's lease connection.
        // (A 64-bit advisory key shows in pg_locks as classid, the high half, and objid.)
        const killed = await sql<{ pid: number }>`select pg_terminate_backend(pid), pid from pg_locks
                  where locktype = 'advisory' and granted
                    and ((classid::bigint << 32) | objid::bigint) = hashtextextended('pairpad-room:room_abcdef', 0)`.execute(handle.db);
        expect(killed.rows).toHaveLength(1);
        let acquired = false;
        for (let i = 0; i < 50 && !acquired; i++) {
          acquired = await b.tryAcquire('room_abcdef');
          if (!acquired) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(acquired).toBe(true);
        await expect.poll(() => lostA).toEqual([['room_abcdef']]);
        const epochB = await owners.claim('room_abcdef', 'b', 'ws://b');
        await expect(docs.appendMany([{ roomId: 'room_abcdef', records: [{ update: bytes(2) }], epoch: epochA }])).rejects.toBeInstanceOf(FencedError);
        await docs.appendMany([{ roomId: 'room_abcdef', records: [{ update: bytes(3) }], epoch: epochB }]);
        expect((await docs.load('room_abcdef')).updates).toEqual([bytes(1), bytes(3)]);
        await b.release('room_abcdef');
        expect(b.held.has('room_abcdef')).toBe(false);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it.runIf(postgresUrl)('[CLU-lease] a lease connection that goes silent is ended by PostgreSQL itself, freeing its leases', async () => {
      await newRoom();
      const url = testDb.config.kind === 'postgres' ? testDb.config.url : '';
      const lost: string[][] = [];
      // No heartbeat within the session timeout: what a cut network path looks like to PostgreSQL.
      const silent = createRoomLeases(url, (rooms) => lost.push(rooms), { heartbeatMs: 60_000, sessionTimeoutMs: 300 });
      const other = createRoomLeases(url, () => {});
      try {
        expect(await silent.tryAcquire('room_abcdef')).toBe(true);
        expect(await other.tryAcquire('room_abcdef')).toBe(false);
        await expect.poll(() => lost, { timeout: 5_000 }).toEqual([['room_abcdef']]);
        expect(await other.tryAcquire('room_abcdef')).toBe(true);
      } finally {
        await silent.close();
        await other.close();
      }
    });

    it('[DB-append] authors and sessions with tabs, newlines, backslashes and \\N are stored verbatim', async () => {
      await newRoom();
      const awkward = ['tab\there', 'line\nbreak\r\n', 'back\\slash \\N \\x00', '\\N', 'Zoë 🐍 李', ''];
      const through = await documents().appendMany([
        { roomId: 'room_abcdef', records: awkward.map((text, i) => ({ update: bytes(i, 0x5c, 0x09, 0x0a), author: text, sessionId: text })) },
      ]);
      const rows = await handle.db
        .selectFrom('document_updates')
        .select(['id', 'update', 'author', 'session_id'])
        .where('room_id', '=', 'room_abcdef')
        .orderBy('id')
        .execute();
      expect(rows.map((row) => row.author)).toEqual(awkward);
      expect(rows.map((row) => row.session_id)).toEqual(awkward);
      expect(rows.map((row) => new Uint8Array(row.update))).toEqual(awkward.map((_, i) => bytes(i, 0x5c, 0x09, 0x0a)));
      expect(through.get('room_abcdef')).toBe(Number(rows.at(-1)!.id));
    });

    it('[DB-append] a batch naming an unknown room is refused whole: nothing of it is stored', async () => {
      await newRoom();
      const docs = documents();
      await expect(
        docs.appendMany([
          { roomId: 'room_abcdef', records: [{ update: bytes(1) }] },
          { roomId: 'room_gone00', records: [{ update: bytes(2) }] },
        ]),
      ).rejects.toThrow();
      expect((await docs.load('room_abcdef')).updates).toEqual([]);
      // The connection is usable afterwards.
      expect((await docs.appendMany([{ roomId: 'room_abcdef', records: [{ update: bytes(3) }] }])).get('room_abcdef')).toBeGreaterThan(0);
    });

    it('[DB-append] an append issued during a transaction neither joins nor commits it', async () => {
      await newRoom();
      const docs = documents();
      let append: Promise<Map<string, number>> | undefined;
      await expect(
        handle.db.transaction().execute(async (trx) => {
          await trx.insertInto('documents').values({ room_id: 'room_abcdef', state: bytes(9), compacted_through: 0 }).execute();
          append = docs.appendMany([{ roomId: 'room_abcdef', records: [{ update: bytes(1) }, { update: bytes(2) }] }]);
          // Let the append reach the database while the transaction is still open.
          await new Promise((resolve) => setTimeout(resolve, 50));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      const through = await append!;
      const after = await docs.load('room_abcdef');
      expect(after.snapshot).toBeNull();
      expect(after.updates).toEqual([bytes(1), bytes(2)]);
      expect(through.get('room_abcdef')).toBe(after.through);
    });

    it('[DB-concurrent] concurrent appends are all kept with distinct ids', async () => {
      await newRoom();
      const docs = documents();
      const ids = await Promise.all(
        Array.from({ length: 25 }, (_, i) => docs.append('room_abcdef', [{ update: bytes(i, i) }])),
      );
      expect(new Set(ids).size).toBe(25);
      const loaded = await docs.load('room_abcdef');
      expect(loaded.updates).toHaveLength(25);
      expect(loaded.updates.map((u) => u[0]).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    });

    it('[DB-ttl] deleting an idle room removes its document and log', async () => {
      await newRoom('room_old111', 'view_old111');
      await newRoom('room_new222', 'view_new222');
      const rooms = roomsRepo(handle.db);
      const docs = documents();
      await docs.append('room_old111', [{ update: bytes(1) }]);
      await docs.compact('room_old111', { state: bytes(1), through: 0 });
      await rooms.touch('room_old111', new Date('2020-01-01T00:00:00Z'));
      const cutoff = new Date(Date.now() - 60_000);
      expect(await rooms.deleteIdleBefore(cutoff, ['room_new222'])).toEqual(['room_old111']);
      expect(await rooms.get('room_old111')).toBeUndefined();
      expect(await docs.load('room_old111')).toEqual({ snapshot: null, updates: [], through: 0 });
      expect(await rooms.get('room_new222')).toBeDefined();
    });

    it('[DB-fail] a closed database rejects writes instead of hanging or dropping them silently', async () => {
      // Its own database, since this test closes it.
      const own = await createTestDatabase(postgresUrl);
      handle = await createDatabase(own.config);
      try {
        await migrateToLatest(handle.db);
        await newRoom();
        await handle.close();
        await expect(documents().append('room_abcdef', [{ update: bytes(1) }])).rejects.toThrow();
        await expect(handle.ping()).rejects.toThrow();
      } finally {
        await handle.close();
        await own.drop();
      }
    });
  });
}
