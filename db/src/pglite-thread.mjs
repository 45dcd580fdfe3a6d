// PGlite on its own thread. PGlite executes SQL synchronously inside WebAssembly, so on the
// server's main thread every insert would stall fan-out to all sockets; here it runs beside it.
// Plain JavaScript so it starts the same under tsx, vitest and the Docker image.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const toPlainError = (error) => {
  const plain = { name: error?.name ?? 'Error', message: error?.message ?? String(error) };
  for (const key of ['code', 'severity', 'detail', 'hint', 'constraint', 'table', 'column', 'schema']) {
    if (error && error[key] !== undefined) plain[key] = error[key];
  }
  return plain;
};

let pglite;
try {
  pglite = workerData.dataDir === 'memory://' ? new PGlite() : new PGlite(workerData.dataDir);
  await pglite.waitReady;
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'failed', error: toPlainError(error) });
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
  try {
    const result = await pglite.query(message.sql, message.params);
    parentPort.postMessage({ id: message.id, rows: result.rows, affectedRows: result.affectedRows });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: toPlainError(error) });
  }
});
