import { useEffect, useState, type ComponentType, type ReactElement } from 'react';
import type { Language, Replay, VersionDetails, VersionSummary } from '@pairpad/shared';
import { formatVersionTime, kindLabel, sizeSummary } from './format';
import { nextNewerVersion, selectedVersion, type HistoryState } from './history-slice';
import { ReplayPane } from './replay-pane';

/** The read-only Monaco views History shows; the page passes the editor feature's. */
export interface HistoryViews {
  Diff: ComponentType<{ original: string; modified: string; language: Language }>;
  Code: ComponentType<{ text: string; language: Language }>;
}

export interface HistoryPanelProps {
  history: HistoryState;
  canEdit: boolean;
  /** Shown instead of restore and fork when the page cannot use them (a view link). */
  editOnlyReason: string;
  /** The live text, for the diff. */
  currentText: string;
  language: Language;
  views: HistoryViews;
  loadVersion(id: number): Promise<VersionDetails>;
  loadReplay(from: number, to: number | undefined): Promise<Replay>;
  onSelect(id: number | null): void;
  onMore(): void;
  onRefresh(): void;
  onClose(): void;
  /** Resolve with a refusal in words, or null when done. */
  onRestore(version: VersionSummary): Promise<string | null>;
  onFork(version: VersionSummary | null): Promise<string | null>;
}

/** The timeline of versions and, for the selected one, its diff against now, a replay, restore and fork. */
export function HistoryPanel(props: HistoryPanelProps): ReactElement {
  const { history, canEdit } = props;
  const selected = selectedVersion(history);
  const [forkError, setForkError] = useState<string | null>(null);
  const [forking, setForking] = useState(false);

  const forkCurrent = async (): Promise<void> => {
    setForking(true);
    setForkError(await props.onFork(null));
    setForking(false);
  };

  return (
    <section className="history-panel" data-testid="history-panel" aria-label="History">
      <header className="history-header">
        <h2>History</h2>
        <span className="toolbar-spacer" />
        {canEdit && (
          <button type="button" className="button small" data-testid="fork-current" disabled={forking} onClick={() => void forkCurrent()} title="A new room with the text as it is now">
            Fork now
          </button>
        )}
        <button type="button" className="button small" data-testid="history-refresh" onClick={props.onRefresh} disabled={history.loading !== null}>
          Refresh
        </button>
        <button type="button" className="button small" data-testid="history-close" onClick={props.onClose} aria-label="Close history">
          Close
        </button>
      </header>
      {forkError && (
        <p className="field-error" role="alert">
          {forkError}
        </p>
      )}
      <div className="history-body">
        <Timeline {...props} />
        {selected ? (
          <VersionPane key={selected.id} {...props} version={selected} replayTo={nextNewerVersion(history.versions, selected.id)} />
        ) : (
          <div className="version-pane version-empty muted">Pick a version to compare it with the text now, replay it, restore it or fork from it.</div>
        )}
      </div>
    </section>
  );
}

function Timeline({ history, onSelect, onMore }: HistoryPanelProps): ReactElement {
  const { versions, status, loading, error, nextBefore, selectedId } = history;
  return (
    <div className="timeline">
      {error && (
        <p className="field-error" role="alert" data-testid="history-error">
          {error}
        </p>
      )}
      {status === 'ready' && versions.length === 0 && <p className="muted timeline-empty">No versions yet. Save (Ctrl+S) to make one; others are taken as you pause.</p>}
      {loading === 'refresh' && versions.length === 0 && <p className="muted timeline-empty">Loading…</p>}
      <ol className="timeline-list" data-testid="version-list">
        {versions.map((v) => (
          <li key={v.id}>
            <button
              type="button"
              className={`version-item${v.id === selectedId ? ' selected' : ''}`}
              data-testid="version-item"
              data-version-id={v.id}
              data-kind={v.kind}
              aria-pressed={v.id === selectedId}
              onClick={() => onSelect(v.id === selectedId ? null : v.id)}
            >
              <span className="version-line">
                <time dateTime={v.at}>{formatVersionTime(v.at)}</time> <strong className="version-kind">{kindLabel(v)}</strong>
              </span>
              <span className="version-line">
                {v.authors.map((a, i) => (
                  <span key={a.name} className="version-author" style={{ color: a.color }} data-testid="version-author">
                    {a.name}
                    {i < v.authors.length - 1 ? ', ' : ''}
                  </span>
                ))}
                {v.authors.length > 0 && ' · '}
                <span className="muted" data-testid="version-size">
                  {sizeSummary(v)}
                </span>
              </span>
            </button>
          </li>
        ))}
      </ol>
      {nextBefore !== null && (
        <button type="button" className="button small" data-testid="history-more" disabled={loading !== null} onClick={onMore}>
          {loading === 'more' ? 'Loading…' : 'Older versions'}
        </button>
      )}
    </div>
  );
}

type Loaded<T> = { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; message: string };

function VersionPane(props: HistoryPanelProps & { version: VersionSummary; replayTo: number | undefined }): ReactElement {
  const { version, views, canEdit, loadVersion } = props;
  const [details, setDetails] = useState<Loaded<VersionDetails>>({ status: 'loading' });
  const [tab, setTab] = useState<'diff' | 'replay'>('diff');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<'restore' | 'fork' | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    loadVersion(version.id).then(
      (value) => !cancelled && setDetails({ status: 'ready', value }),
      (failure: unknown) => !cancelled && setDetails({ status: 'error', message: failure instanceof Error ? failure.message : 'The version could not be loaded.' }),
    );
    return () => {
      cancelled = true;
    };
  }, [loadVersion, version.id]);

  const act = async (kind: 'restore' | 'fork'): Promise<void> => {
    setBusy(kind);
    setError(null);
    const refused = kind === 'restore' ? await props.onRestore(version) : await props.onFork(version);
    setBusy(null);
    setConfirming(false);
    setError(refused);
  };

  return (
    <div className="version-pane" data-testid="version-pane" data-version-id={version.id}>
      <div className="version-toolbar">
        <strong>
          {kindLabel(version)} · {formatVersionTime(version.at)}
        </strong>
        <span className="tab-group" role="tablist">
          <button type="button" role="tab" className={`tab${tab === 'diff' ? ' active' : ''}`} aria-selected={tab === 'diff'} data-testid="tab-diff" onClick={() => setTab('diff')}>
            Diff with now
          </button>
          <button type="button" role="tab" className={`tab${tab === 'replay' ? ' active' : ''}`} aria-selected={tab === 'replay'} data-testid="tab-replay" onClick={() => setTab('replay')}>
            Replay
          </button>
        </span>
        <span className="toolbar-spacer" />
        {canEdit ? (
          confirming ? (
            <span className="confirm" role="group" aria-label="Confirm restore">
              <span>Replace the text with this version?</span>
              <button type="button" className="button small primary" data-testid="restore-confirm" disabled={busy !== null} onClick={() => void act('restore')}>
                {busy === 'restore' ? 'Restoring…' : 'Restore'}
              </button>
              <button type="button" className="button small" data-testid="restore-cancel" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <>
              <button type="button" className="button small" data-testid="restore" disabled={busy !== null} onClick={() => setConfirming(true)} title="Everyone's text becomes this version (undoable)">
                Restore
              </button>
              <button type="button" className="button small" data-testid="fork" disabled={busy !== null} onClick={() => void act('fork')} title="A new room starting from this version">
                {busy === 'fork' ? 'Forking…' : 'Fork'}
              </button>
            </>
          )
        ) : (
          <span className="muted" data-testid="edit-only-reason">
            {props.editOnlyReason}
          </span>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert" data-testid="version-error">
          {error}
        </p>
      )}
      {tab === 'diff' ? (
        details.status === 'ready' ? (
          <views.Diff original={details.value.text} modified={props.currentText} language={details.value.language} />
        ) : details.status === 'error' ? (
          <p className="field-error" role="alert">
            {details.message}
          </p>
        ) : (
          <p className="muted">Loading version…</p>
        )
      ) : (
        <ReplayPane from={version.id} to={props.replayTo} language={props.language} Code={views.Code} loadReplay={props.loadReplay} />
      )}
    </div>
  );
}
