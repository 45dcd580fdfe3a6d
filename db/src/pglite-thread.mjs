// PGlite on its own thread. PGlite executes SQL synchronously inside WebAssembly, so on the
// server's main thread every insert would stall fan-out to all sockets; here it runs beside it.
// Plain JavaScript so it starts the same under tsx, vitest and the Docker image.
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const toPlainError = (error) => {
  const plain = { name: error?.name ?? 'Error', message: error?.message ?? String(error) };
  for (const key of ['code', 'severity', 'detail', 'hint', 'constraint', 'table', 'column', 'schema']) {
    if (error && error[key] !== undefined) plain[key] = error[key];
  }
  return plain;
};

// PGlite's own bytea codecs go through a JavaScript string per byte: a 200 KB snapshot took
// about 40 ms to send and as long to read back. Node's hex codec does the same in well under 1 ms.
const BYTEA = 17;
const serializeBytea = (value) => {
  if (!(value instanceof Uint8Array)) throw new Error('Invalid input for bytea type');
  return '\\x' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
};
const parseBytea = (text) => {
  // A plain, unpooled Uint8Array: callers compare it and post it across threads.
  const bytes = new Uint8Array((text.length - 2) >> 1);
  Buffer.from(bytes.buffer).write(text.slice(2), 'hex');
  return bytes;
};

// Bounds the write-ahead log. PGlite keeps PostgreSQL's server defaults (max_wal_size 1 GB,
// min_wal_size 80 MB) and, single-user, has no checkpointer process: nothing checkpoints while
// it runs, so every compaction's snapshot stayed in pg_wal (a 10-minute soak grew it from 39 to
// 118 MB), and the segments recycled at shutdown kept it that size after restarts. So this
// thread checkpoints itself once WAL_CHECKPOINT_BYTES of log were written since the last
// checkpoint (checked at most once a second, between transactions), and the settings cap what
// a checkpoint keeps for reuse.
const WAL_SETTINGS = ['-c', 'max_wal_size=32MB', '-c', 'min_wal_size=32MB'];
const WAL_CHECKPOINT_BYTES = 16 * 1024 * 1024;
const WAL_CHECK_INTERVAL_MS = 1_000;
let lastWalCheck = 0;
let checkingWal = false;

async function boundWal() {
  if (checkingWal || !pglite || pglite.closed || pglite.isInTransaction()) return;
  if (Date.now() - lastWalCheck < WAL_CHECK_INTERVAL_MS) return;
  checkingWal = true;
  lastWalCheck = Date.now();
  try {
    const { rows } = await pglite.query('select (pg_current_wal_insert_lsn() - redo_lsn)::float8 as bytes from pg_control_checkpoint()');
    if (rows[0].bytes >= WAL_CHECKPOINT_BYTES) await pglite.exec('checkpoint');
  } catch {
    // Best effort: the next check tries again.
  } finally {
    checkingWal = false;
  }
}

let pglite;
try {
  const options = {
    serializers: { [BYTEA]: serializeBytea },
    parsers: { [BYTEA]: parseBytea },
    // workerData.startParams: the memory settings chosen in dialects.ts.
    startParams: [...PGlite.defaultStartParams, ...WAL_SETTINGS, ...(workerData.startParams ?? [])],
  };
  // workerData.template: a tarball of a data directory to start from instead of running initdb.
  // A File, as PGlite tells a gzipped tarball by its name.
  if (workerData.template) options.loadDataDir = new File([await readFile(workerData.template)], basename(workerData.template));
  pglite = workerData.dataDir === 'memory://' ? new PGlite(options) : new PGlite(workerData.dataDir, options);
  await pglite.waitReady;
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'failed', error: toPlainError(error) });
}

// COPY's text format: backslash escapes for the characters that delimit it, \N for null,
// bytea as \\x<hex> (the backslash itself escaped), timestamps as ISO 8601.
const copyField = (value) => {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Uint8Array) return '\\\\x' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (value instanceof Date) return value.toISOString();
  return String(value).replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
};

/**
 * Bulk insert with COPY: in PGlite it costs a fraction of a multi-row INSERT per row (no bind
 * parameters to parse and convert). The caller holds the only connection, so no other statement
 * runs in between and the rows took the sequence values up to currval, in order. One simple
 * query for both statements: COPY is atomic on its own, and a transaction around it would add
 * two more statements per flush.
 */
async function copyRows({ table, columns, rows, sequence }) {
  const text = rows.map((row) => row.map(copyField).join('\t')).join('\n') + '\n';
  const ident = (name) => '"' + name.replaceAll('"', '""') + '"';
  const literal = (value) => "'" + value.replaceAll("'", "''") + "'";
  const results = await pglite.exec(
    `copy ${ident(table)} (${columns.map(ident).join(', ')}) from '/dev/blob'; select currval(${literal(sequence)}::regclass)::text as last`,
    { blob: new Blob([text]) },
  );
  return Number(results.at(-1).rows[0].last);
}

parentPort.on('message', async (message) => {
  if (message.type === 'close') {
    try {
      if (pglite && !pglite.closed) await pglite.close();
    } finally {
      parentPort.postMessage({ type: 'closed' });
      parentPort.close();
    }
    return;
  }
  if (message.type === 'dump') {
    try {
      // Checkpointed first, so a database started from the tarball has no log to replay.
      // Gzipped: its 40 MB (a log segment, three databases' catalogs) shrink to about 5 MB, and
      // unzipping costs about 0.1 s per start.
      await pglite.exec('checkpoint');
      const tarball = await pglite.dumpDataDir('gzip');
      await writeFile(message.path, new Uint8Array(await tarball.arrayBuffer()));
      parentPort.postMessage({ id: message.id, rows: [] });
    } catch (error) {
      parentPort.postMessage({ id: message.id, error: toPlainError(error) });
    }
    return;
  }
  if (message.type === 'copy') {
    try {
      parentPort.postMessage({ id: message.id, rows: [{ last: await copyRows(message) }] });
    } catch (error) {
      parentPort.postMessage({ id: message.id, error: toPlainError(error) });
    }
    void boundWal();
    return;
  }
  try {
    const result = await pglite.query(message.sql, message.params);
    parentPort.postMessage({ id: message.id, rows: result.rows, affectedRows: result.affectedRows });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: toPlainError(error) });
  }
  void boundWal();
});
