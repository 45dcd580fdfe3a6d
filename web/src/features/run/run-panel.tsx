import { useLayoutEffect, useRef, useState, type ReactElement } from 'react';
import { RUN_LIMIT_MAX_MS, RUN_LIMIT_MIN_MS, isRunnable, type Language, type Role, type RunEntry } from '@pairpad/shared';
import type { RunState } from './run-slice';
import './run-panel.css';

const LANGUAGE_LABELS: Partial<Record<Language, string>> = { javascript: 'JavaScript', typescript: 'TypeScript', python: 'Python' };

/** Why this page cannot run the room's code, in one line; null when it can. */
export function runBlockedReason(language: Language, role: Role | null): string | null {
  if (role === 'viewer') return 'Watching: only editors can run code. You see everyone’s output here.';
  if (!isRunnable(language)) return `${language === 'plaintext' ? 'Plain text' : language} cannot run in the browser: Run works for JavaScript, TypeScript and Python.`;
  return null;
}

const clock = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
};

const duration = (ms: number | null): string => (ms === null ? '' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** A run still `running` this long after its start lost its runner (a closed tab): Python's loading is allowed for. */
const INTERRUPTED_AFTER_MS = 120_000;

/** The entry's result in a few words ("exit 0 · 12 ms", "stopped at the 10 s limit"). */
export function describeRun(entry: RunEntry, now = Date.now()): string {
  switch (entry.status) {
    case 'running':
      return now - Date.parse(entry.startedAt) > entry.limitMs + INTERRUPTED_AFTER_MS ? 'interrupted: no result' : 'running…';
    case 'ok':
    case 'error':
      return [entry.exitCode === null ? 'failed' : `exit ${entry.exitCode}`, duration(entry.durationMs)].filter(Boolean).join(' · ');
    case 'timeout':
      return `stopped at the ${duration(entry.limitMs)} limit`;
    case 'stopped':
      return ['stopped', duration(entry.durationMs)].filter(Boolean).join(' · ');
  }
}

const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

export interface RunPanelProps {
  language: Language;
  role: Role | null;
  run: RunState;
  entries: readonly RunEntry[];
  /** The shared console is this page's only (simple-sync mode has no shared document). */
  localOnly: boolean;
  onRun(): void;
  onStop(): void;
  onClear(): void;
  onLimitChange(ms: number): void;
}

/** Run / Stop / limit / Clear, and the room's output console (everyone's runs, live). */
export function RunPanel({ language, role, run, entries, localOnly, onRun, onStop, onClear, onLimitChange }: RunPanelProps): ReactElement {
  const reason = runBlockedReason(language, role);
  const busy = run.phase !== 'idle';
  // What is typed in the limit field until it is committed (blur or Enter).
  const [draft, setDraft] = useState<string | null>(null);
  const limitText = draft ?? String(run.limitMs / 1000);

  const body = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  useLayoutEffect(() => {
    const el = body.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [entries]);

  const commitLimit = (text: string): void => {
    const value = Number(text);
    if (text.trim() !== '' && Number.isFinite(value) && value > 0) onLimitChange(value * 1000);
    setDraft(null);
  };

  const shortcut = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘+Enter' : 'Ctrl+Enter';
  const progress = run.progress;

  return (
    <section className="run-panel" data-testid="run-panel" data-python-load-ms={run.pythonLoadMs ?? undefined} aria-label="Run and output">
      <div className="run-toolbar">
        {busy ? (
          <button type="button" className="button small danger" data-testid="run-stop" onClick={onStop}>
            ■ Stop
          </button>
        ) : (
          <button
            type="button"
            className="button small primary"
            data-testid="run-button"
            disabled={reason !== null}
            title={reason ?? `Run the ${LANGUAGE_LABELS[language] ?? language} code in this browser (${shortcut})`}
            onClick={onRun}
          >
            ▶ Run
          </button>
        )}
        {reason ? (
          <span className="run-reason muted" data-testid="run-reason">
            {reason}
          </span>
        ) : (
          <label className="run-limit" title="Wall-clock limit: a run still going after this many seconds is stopped">
            time limit
            <input
              type="number"
              data-testid="run-limit"
              min={RUN_LIMIT_MIN_MS / 1000}
              max={RUN_LIMIT_MAX_MS / 1000}
              step={1}
              value={limitText}
              onChange={(event) => setDraft(event.target.value)}
              onBlur={(event) => commitLimit(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter') commitLimit(event.currentTarget.value);
              }}
            />
            s
          </label>
        )}
        {run.phase === 'preparing' && (
          <span className="run-progress" data-testid="run-progress" role="status">
            {progress ? (
              <>
                {progress.label}…{' '}
                <progress value={progress.total ? progress.loaded : undefined} max={progress.total ?? undefined} />{' '}
                {progress.loaded > 0 && megabytes(progress.loaded)}
                {progress.total ? ` / ${megabytes(progress.total)}` : ''}
              </>
            ) : (
              'Preparing…'
            )}
          </span>
        )}
        {run.phase === 'running' && (
          <span className="run-progress muted" role="status">
            running…
          </span>
        )}
        {run.error && (
          <span className="run-failure" role="alert" data-testid="run-failure">
            {run.error}
          </span>
        )}
        <span className="run-spacer" />
        {localOnly && <span className="muted run-local">output stays on this page in simple sync</span>}
        {role !== 'viewer' && (
          <button type="button" className="button small" data-testid="run-clear" onClick={onClear} disabled={entries.length === 0}>
            Clear
          </button>
        )}
      </div>
      <div
        className="run-console"
        data-testid="run-console"
        ref={body}
        onScroll={(event) => {
          const el = event.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {entries.length === 0 ? (
          <div className="muted run-empty">{reason && role !== 'viewer' ? 'No output.' : `Output of every run appears here, for everyone in the room.`}</div>
        ) : (
          entries.map((entry) => (
            <article key={entry.id} className={`run-entry run-${entry.status}`} data-testid="run-entry" data-status={entry.status} data-by={entry.by} data-language={entry.language}>
              <header className="run-entry-header">
                <span className="run-by" style={{ color: entry.color }}>
                  {entry.by}
                </span>{' '}
                ran {LANGUAGE_LABELS[entry.language] ?? entry.language} · {clock(entry.startedAt)} ·{' '}
                <span className="run-result" data-testid="run-result">
                  {describeRun(entry)}
                </span>
              </header>
              <pre className="run-output" data-testid="run-output">
                {entry.output.map((chunk, i) => (
                  <span key={i} className={`run-${chunk.s}`}>
                    {chunk.t}
                  </span>
                ))}
              </pre>
            </article>
          ))
        )}
      </div>
    </section>
  );
}
