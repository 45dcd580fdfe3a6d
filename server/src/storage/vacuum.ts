import type { DatabaseHandle } from '@pairpad/db';
import type { Logger } from '../log';

/**
 * Vacuums the embedded database on a timer. Every compaction deletes log rows and replaces a
 * snapshot; PGlite has no autovacuum, so without this the data directory would grow by every
 * snapshot ever written. PostgreSQL vacuums itself, and the handle then offers nothing to run.
 */
export function createVacuumSchedule(deps: { database: DatabaseHandle; logger: Logger }) {
  const { vacuum } = deps.database;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const runOnce = async (): Promise<void> => {
    if (!vacuum || running) return running ?? undefined;
    const started = performance.now();
    running = vacuum()
      .then(() => deps.logger.debug({ ms: Math.round(performance.now() - started) }, 'vacuumed the embedded database'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  return {
    runOnce,
    /** Often enough that a busy room's replaced snapshots cost a few copies at most, not a history. */
    start(intervalMs: number): void {
      if (!vacuum) return;
      timer ??= setInterval(() => {
        runOnce().catch((error: unknown) => deps.logger.warn({ err: error }, 'vacuum failed; will retry'));
      }, intervalMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
