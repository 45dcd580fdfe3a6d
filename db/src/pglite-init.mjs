// Creates an empty PGlite data directory, then exits. Run as a short-lived child process by
// dialects.ts on a first start: PGlite runs initdb as a second WebAssembly instance and keeps it
// reachable afterwards, so a server that initialised its own directory sat at about 800 MB
// instead of about 300 MB. A process that exits returns all of it.
import { PGlite } from '@electric-sql/pglite';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: pglite-init.mjs <data dir>');
  process.exit(2);
}
try {
  const pglite = new PGlite(dataDir);
  await pglite.waitReady;
  await pglite.close();
} catch (error) {
  console.error(`pglite-init: ${error?.message ?? String(error)}`);
  process.exit(1);
}
