import { silentLogger } from '../log';
import type { DocStore } from './doc-store';
import type { RoomOptions } from './room';
import { RoomRegistry, type RoomRegistryOptions } from './room-registry';

/**
 * The tunables of a room for unit tests of the core: timers long enough that nothing fires
 * unless a test drives it, limits roomy enough that nothing refuses unless a test is about it.
 * Tests spread it and override what they are about.
 */
export const ROOM_TEST_TUNABLES = {
  persistFlushMs: 100,
  compactIntervalMs: 60_000,
  compactMaxLogRows: 1_000,
  maxDocBytes: 1024 * 1024,
  typingMs: 3_000,
  retryMinMs: 200,
  retryMaxMs: 5_000,
  syncEncodeBytesPerSecond: 1024 * 1024,
} satisfies Omit<RoomOptions, 'store' | 'logger' | 'queue'>;

/** A registry over `store` with the test tunables; a room unloads as soon as its last member leaves. */
export function createTestRegistry(store: DocStore, overrides: Partial<RoomRegistryOptions> = {}): RoomRegistry {
  return new RoomRegistry({ store, logger: silentLogger, ...ROOM_TEST_TUNABLES, maxRoomsInMemory: 100, unloadDelayMs: 0, nameProbeMs: 2_000, ...overrides });
}
