import type { DatabaseHandle } from '@pairpad/db';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TUNING } from '../config';
import { silentLogger } from '../log';
import { createVacuumSchedule } from './vacuum';

const handle = (vacuum?: () => Promise<void>) => ({ vacuum }) as unknown as DatabaseHandle;

describe('vacuum schedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('vacuums the embedded database every two minutes by default, never two at once', async () => {
    vi.useFakeTimers();
    let release: () => void = () => {};
    const vacuum = vi.fn(() => new Promise<void>((resolve) => (release = resolve)));
    const schedule = createVacuumSchedule({ database: handle(vacuum), logger: silentLogger });
    schedule.start(DEFAULT_TUNING.vacuumIntervalMs);
    await vi.advanceTimersByTimeAsync(119_000);
    expect(vacuum).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(vacuum).toHaveBeenCalledTimes(1);
    // Still running when the next tick comes: it is not started a second time.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(vacuum).toHaveBeenCalledTimes(1);
    release();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(vacuum).toHaveBeenCalledTimes(2);
    schedule.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(vacuum).toHaveBeenCalledTimes(2);
  });

  it('does nothing on a database that vacuums itself', async () => {
    vi.useFakeTimers();
    const schedule = createVacuumSchedule({ database: handle(undefined), logger: silentLogger });
    schedule.start(DEFAULT_TUNING.vacuumIntervalMs);
    await vi.advanceTimersByTimeAsync(600_000);
    await expect(schedule.runOnce()).resolves.toBeUndefined();
    schedule.stop();
  });
});
