import type { RestoreNotice, VersionSummary } from '@pairpad/shared';

/** "14:02" in the reader's time zone (24 h). */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** "14:02:07", for replay steps. */
export function formatClockSeconds(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** A timeline entry's time: the clock for today, the date too for older ones. */
export function formatVersionTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (date.toDateString() === now.toDateString()) return formatClock(iso);
  return `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${formatClock(iso)}`;
}

export function kindLabel(version: Pick<VersionSummary, 'kind' | 'name'>): string {
  switch (version.kind) {
    case 'named':
      return version.name ? `Saved: ${version.name}` : 'Saved';
    case 'auto':
      return 'Auto';
    case 'before_restore':
      return 'Before restore';
    case 'before_overwrite':
      return 'Before overwrite';
  }
}

/** "+120 −30 chars", or "no change". */
export function sizeSummary(version: Pick<VersionSummary, 'inserted' | 'deleted'>): string {
  if (version.inserted === 0 && version.deleted === 0) return 'no change';
  return `+${version.inserted} −${version.deleted} chars`;
}

/** "Alice restored the 14:02 version" (with its name when it had one). */
export function restoreMessage(notice: RestoreNotice): string {
  const name = notice.versionName ? ` “${notice.versionName}”` : '';
  return `${notice.by} restored the ${formatClock(notice.versionAt)} version${name}`;
}
