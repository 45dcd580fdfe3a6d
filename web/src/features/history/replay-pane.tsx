import { useEffect, useMemo, useState, type ComponentType, type ReactElement } from 'react';
import type { Language, Replay } from '@pairpad/shared';
import { formatClockSeconds } from './format';
import { ReplayPlayer } from './replay-player';

/** Playback speed: ten steps a second is slow enough to follow someone typing. */
export const REPLAY_STEP_MS = 100;

export interface ReplayPaneProps {
  from: number;
  /** The newer version; undefined = up to the text now. */
  to: number | undefined;
  language: Language;
  Code: ComponentType<{ text: string; language: Language }>;
  loadReplay(from: number, to: number | undefined): Promise<Replay>;
}

/** Slider and play/pause over a replay's steps, each shown read-only with its author and time. */
export function ReplayPane({ from, to, language, Code, loadReplay }: ReplayPaneProps): ReactElement {
  const [player, setPlayer] = useState<ReplayPlayer | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    let created: ReplayPlayer | null = null;
    loadReplay(from, to).then(
      (replay) => {
        if (cancelled) return;
        try {
          created = new ReplayPlayer(replay);
          setPlayer(created);
        } catch {
          setError('The replay could not be read.');
        }
      },
      (failure: unknown) => !cancelled && setError(failure instanceof Error ? failure.message : 'The replay could not be loaded.'),
    );
    return () => {
      cancelled = true;
      created?.destroy();
    };
  }, [loadReplay, from, to]);

  if (error)
    return (
      <p className="field-error" role="alert">
        {error}
      </p>
    );
  if (!player) return <p className="muted">Loading replay…</p>;
  return <ReplayPlayback key={`${from}:${to ?? 'now'}`} player={player} language={language} Code={Code} />;
}

function ReplayPlayback({ player, language, Code }: { player: ReplayPlayer; language: Language; Code: ReplayPaneProps['Code'] }): ReactElement {
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const end = player.end;

  // One timer per step while playing: the next position, and a stop at the end.
  useEffect(() => {
    if (!playing) return;
    const timer = setTimeout(() => {
      const next = Math.min(position + 1, end);
      setPosition(next);
      if (next >= end) setPlaying(false);
    }, REPLAY_STEP_MS);
    return () => clearTimeout(timer);
  }, [playing, position, end]);

  const text = useMemo(() => player.textAt(position), [player, position]);
  const step = player.stepAt(position);

  const toggle = (): void => {
    if (playing) setPlaying(false);
    else {
      if (position >= end) setPosition(0);
      setPlaying(end > 0);
    }
  };

  return (
    <div className="replay" data-testid="replay" data-position={position} data-end={end}>
      <div className="replay-controls">
        <button type="button" className="button small" data-testid="replay-play" onClick={toggle} disabled={end === 0} aria-label={playing ? 'Pause' : 'Play'}>
          {playing ? '❚❚ Pause' : '▶ Play'}
        </button>
        <input
          type="range"
          min={0}
          max={end}
          value={position}
          data-testid="replay-slider"
          aria-label="Replay position"
          onChange={(event) => {
            setPlaying(false);
            setPosition(Number(event.target.value));
          }}
        />
        <span className="muted replay-step" data-testid="replay-step">
          {end === 0
            ? 'No edits in between'
            : step
              ? `step ${position} / ${end} · ${step.author ?? 'server'} · ${formatClockSeconds(step.at)}`
              : `start · step 0 / ${end}`}
        </span>
      </div>
      <Code text={text} language={language} />
    </div>
  );
}
