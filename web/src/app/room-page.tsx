import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactElement } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { checkDisplayName, editPath, watchPath, type Language, type Role, type VersionSummary } from '@pairpad/shared';
import { env } from '../config/env';
import { colorForName } from '../lib/colors';
import { useLatest } from '../lib/use-latest';
import { useAppDispatch, useAppSelector } from './hooks';
import { bindSaveShortcut } from './save-shortcut';
import { describeRefusal, describeRoomError, errorCodeOf, isDbUnavailable } from '../lib/room-errors';
import { degradedRetryDelayMs, roomsApi } from '../features/rooms/rooms-api';
import { RoomHeader } from '../features/rooms/room-header';
import {
  metaChanged,
  roomClosed,
  roomFailed,
  roomLoaded,
  roomOpened,
  roomUnavailable,
  saveFinished,
  saveStarted,
  serverHealthChanged,
} from '../features/rooms/room-slice';
import { displayNameChanged } from '../features/rooms/session-slice';
import { saveDisplayName } from '../features/rooms/storage';
import { CodeEditor, type CodeEditorProps } from '../features/editor/editor';
import { ConnectionBadge } from '../features/editor/connection-badge';
import { SYNC_TRAITS, type SessionCallbacks } from '../features/editor/room-session';
import { useCollabSession } from '../features/editor/use-collab-session';
import {
  connectionReset,
  editedWhileOffline,
  fatalClose,
  saveStateChanged,
  statusChanged,
  synced,
} from '../features/editor/connection-slice';
import { suggestionCleared, suggestionRequested, suggestionShown } from '../features/editor/suggestion-slice';
import type { SuggestionSource } from '../features/editor/autocomplete';
import { ParticipantList } from '../features/presence/participant-list';
import {
  followStopped,
  followToggled,
  knownParticipantsLoaded,
  peersChanged,
  presenceReset,
  selfConnectionChanged,
} from '../features/presence/presence-slice';
import { DiffView, CodeView } from '../features/editor/version-views';
import { HistoryPanel, type HistoryViews } from '../features/history/history-panel';
import { SaveDialog } from '../features/history/save-dialog';
import { RestoreToast } from '../features/history/restore-toast';
import { formatClock } from '../features/history/format';
import { liveBufferDocument, liveYjsDocument, type LiveDocument } from '../features/history/live-document';
import { authorshipToggled, toastDismissed, versionSelected } from '../features/history/history-slice';
import { useAuthorship, useLiveText, useRoomHistory } from './use-room-history';
import { RunPanel } from '../features/run/run-panel';
import { useRoomRun } from './use-room-run';

const HISTORY_VIEWS: HistoryViews = { Diff: DiffView, Code: CodeView };
/** How long the restore toast stays when nobody acts on it. */
const TOAST_MS = 15_000;
const SOURCE_LABELS: Record<SuggestionSource, string> = { local: 'local engine', model: 'AI model', 'language-service': 'language service' };
const EDIT_ONLY_REASON = 'Restore and fork need the edit link; this is a view link.';

/** How often an open room asks /healthz whether the server's database is up, and while it is down. */
const HEALTH_POLL_MS = 30_000;
const DEGRADED_HEALTH_POLL_MS = 5_000;

/** `/room/:roomId` (edit) and `/watch/:viewId` (watch). Composes rooms, editor and presence. */
export function RoomPage(): ReactElement {
  const { roomId, viewId } = useParams();
  const [search] = useSearchParams();
  const id = roomId ?? viewId ?? '';
  const role: Role = viewId || search.get('role') === 'viewer' ? 'viewer' : 'editor';
  const mode = search.get('sync') === 'lww' ? 'lww' : 'yjs';
  const storedName = useAppSelector((s) => s.session.displayName);
  const [joinName, setJoinName] = useState<string | null>(() => {
    const check = checkDisplayName(storedName);
    return check.ok ? check.name : null;
  });
  const [attempt, setAttempt] = useState(0);

  if (!joinName) {
    return <NameGate initial={storedName} onJoin={setJoinName} title="Join room" />;
  }
  return (
    <RoomView
      key={`${id}:${role}:${mode}`}
      id={id}
      role={role}
      mode={mode}
      name={joinName}
      attempt={attempt}
      onRename={(name) => {
        setJoinName(name);
        setAttempt((n) => n + 1);
      }}
    />
  );
}

interface RoomViewProps {
  id: string;
  role: Role;
  mode: 'yjs' | 'lww';
  name: string;
  attempt: number;
  onRename(name: string): void;
}

function RoomView({ id, role, mode, name, attempt, onRename }: RoomViewProps): ReactElement {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const room = useAppSelector((s) => s.room);
  const connection = useAppSelector((s) => s.connection);
  const presence = useAppSelector((s) => s.presence);
  const suggestion = useAppSelector((s) => s.suggestion);
  const sessionId = useAppSelector((s) => s.session.sessionId);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmation, setConfirmation] = useState<string | null>(null);
  const [saveDialog, setSaveDialog] = useState<{ busy: boolean; error: string | null } | null>(null);

  useEffect(() => {
    dispatch(roomOpened({ id, role }));
    dispatch(connectionReset(mode));
    dispatch(presenceReset());
    dispatch(suggestionCleared());
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const load = (): void => {
      roomsApi
        .get(id)
        .then((details) => {
          if (cancelled) return;
          dispatch(roomLoaded(details));
          dispatch(knownParticipantsLoaded({ participants: details.participants ?? [], self: name }));
        })
        .catch((error: unknown) => {
          if (cancelled) return;
          if (isDbUnavailable(error)) {
            // The server is up but its database is not, and this room is not live in its
            // memory (a live one would have answered): not a dead end, try again with backoff.
            const retryInMs = degradedRetryDelayMs(failures++);
            dispatch(roomUnavailable({ retryInMs }));
            retry = setTimeout(load, retryInMs);
            return;
          }
          dispatch(roomFailed(describeRoomError(errorCodeOf(error))));
        });
    };
    load();
    return () => {
      cancelled = true;
      clearTimeout(retry);
      dispatch(roomClosed());
      dispatch(presenceReset());
      dispatch(suggestionCleared());
    };
  }, [dispatch, id, role, mode, name, attempt]);

  // Only while the room is open: is the server's database up? Edits keep flowing either way;
  // this only decides whether to tell people their changes are held in the server's memory.
  const ready = room.status === 'ready';
  useEffect(() => {
    if (!ready) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async (): Promise<void> => {
      const health = await roomsApi.health();
      if (cancelled) return;
      // An unreachable server is the socket's business (the offline banner), not the database's.
      if (health !== 'unknown') dispatch(serverHealthChanged({ dbDown: health === 'down' }));
      timer = setTimeout(() => void check(), health === 'down' ? DEGRADED_HEALTH_POLL_MS : HEALTH_POLL_MS);
    };
    void check();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [dispatch, ready]);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 4000);
    return () => clearTimeout(timer);
  }, [notice]);

  useEffect(() => {
    if (!confirmation) return;
    const timer = setTimeout(() => setConfirmation(null), 4000);
    return () => clearTimeout(timer);
  }, [confirmation]);

  // Never list ourselves as online while our own socket is down (issue 14, defect 4).
  const selfConnected = connection.status === 'connected' && !connection.fatal;
  useEffect(() => {
    dispatch(selfConnectionChanged(selfConnected));
  }, [dispatch, selfConnected]);

  // Offline edits live only in this tab until the server has them.
  useEffect(() => {
    if (!connection.offlineEdits) return;
    const warn = (event: BeforeUnloadEvent): void => {
      event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [connection.offlineEdits]);

  useEffect(() => {
    document.title = room.name ? `${room.name} · pairpad` : 'pairpad';
    return () => {
      document.title = 'pairpad';
    };
  }, [room.name]);

  const callbacks = useMemo<SessionCallbacks>(
    () => ({
      onStatus: (status) => dispatch(statusChanged(status)),
      onSynced: () => dispatch(synced()),
      onFatal: (close) => dispatch(fatalClose(close)),
      onPeers: (peers) => dispatch(peersChanged(peers)),
      onMeta: (meta) => dispatch(metaChanged(meta)),
      onOfflineEdit: () => dispatch(editedWhileOffline()),
      onSaveState: (state) => dispatch(saveStateChanged(state)),
    }),
    [dispatch],
  );

  const session = useCollabSession(
    {
      id: room.status === 'ready' ? id : null,
      role: room.role,
      name,
      sessionId,
      color: colorForName(name),
      mode,
      attempt,
    },
    callbacks,
  );

  const readOnly = room.role === 'viewer';
  // What the mode can do is known from the URL, before the session exists (banners, labels).
  const traits = SYNC_TRAITS[mode];

  /** Says why the server refused a change; a refusal for want of a database also marks the server degraded. */
  const refused = useCallback(
    (action: Parameters<typeof describeRefusal>[0], error: unknown): string => {
      const { message, dbDown } = describeRefusal(action, error);
      if (dbDown) dispatch(serverHealthChanged({ dbDown: true }));
      return message;
    },
    [dispatch],
  );

  const changeLanguage = useCallback(
    (language: Language) => {
      dispatch(metaChanged({ language }));
      session?.setLanguage(language);
      if (room.roomId) roomsApi.patch(room.roomId, { language }).catch((error: unknown) => setNotice(refused('language', error)));
    },
    [dispatch, session, room.roomId, refused],
  );

  const rename = useCallback(
    (roomName: string) => {
      dispatch(metaChanged({ name: roomName }));
      session?.setRoomName(roomName);
      if (room.roomId) roomsApi.patch(room.roomId, { name: roomName }).catch((error: unknown) => setNotice(refused('name', error)));
    },
    [dispatch, session, room.roomId, refused],
  );

  const changeLimit = useCallback(
    async (limit: number): Promise<string | null> => {
      if (!room.roomId) return 'Only editors can change the capacity.';
      try {
        const updated = await roomsApi.patch(room.roomId, { limit });
        dispatch(metaChanged({ limit: updated.limit }));
        return null;
      } catch (error: unknown) {
        return refused('limit', error);
      }
    },
    [dispatch, room.roomId, refused],
  );

  const live = useMemo<LiveDocument | null>(
    () => session?.bindText<LiveDocument>({ crdt: (text) => liveYjsDocument(text.doc), buffer: (buffer) => liveBufferDocument(buffer) }) ?? null,
    [session],
  );
  const { history, ...roomHistory } = useRoomHistory({ id: room.status === 'ready' ? id : null, canEdit: !readOnly, name, live, synced: connection.synced });
  const { save: saveToServer, fork: forkOnServer, restore: restoreOnServer } = roomHistory;
  const liveText = useLiveText(live, history.open && history.selectedId !== null);
  const authorship = useAuthorship(room.status === 'ready' ? id : null, history.authorship, live);

  /** Save (button or Ctrl/Cmd+S): ask for an optional name first. */
  const save = useCallback(() => {
    if (!room.roomId) return;
    setSaveDialog((open) => open ?? { busy: false, error: null });
  }, [room.roomId]);

  const saveVersion = useCallback(
    (versionName: string | undefined) => {
      setSaveDialog({ busy: true, error: null });
      dispatch(saveStarted());
      saveToServer(versionName)
        .then((saved) => {
          dispatch(saveFinished(saved.at));
          setSaveDialog(null);
          setConfirmation(saved.name ? `Saved “${saved.name}” (${formatClock(saved.at)})` : `Saved a version (${formatClock(saved.at)})`);
        })
        .catch((error: unknown) => {
          dispatch(saveFinished(null));
          setSaveDialog({ busy: false, error: refused('save', error) });
        });
    },
    [dispatch, saveToServer, refused],
  );

  const forkRoom = useCallback(
    async (version: VersionSummary | null): Promise<string | null> => {
      const forked = await forkOnServer(version ? version.id : null);
      if (typeof forked === 'string') return forked;
      void navigate(editPath(forked.roomId));
      return null;
    },
    [forkOnServer, navigate],
  );

  const restoreVersion = useCallback((version: VersionSummary) => restoreOnServer(version.id), [restoreOnServer]);

  const toast = history.toast;
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => dispatch(toastDismissed()), TOAST_MS);
    return () => clearTimeout(timer);
  }, [dispatch, toast]);

  const saveRef = useLatest(save);
  useEffect(() => {
    const shortcut = bindSaveShortcut(window, readOnly, () => saveRef.current());
    return () => shortcut.dispose();
  }, [readOnly, saveRef]);

  const leave = useCallback(() => void navigate('/'), [navigate]);

  const roomRun = useRoomRun({ session, canRun: !readOnly, language: room.language, name, color: colorForName(name) });

  const autocomplete = useMemo<CodeEditorProps['autocomplete']>(
    () => ({
      enabled: !readOnly,
      delayMs: env.autocompleteDelayMs,
      fetch: (body, signal) => roomsApi.autocomplete(body, signal),
      onRequest: (offset) => dispatch(suggestionRequested(offset)),
      onSuggestion: (s) => dispatch(suggestionShown({ text: s.text, source: s.source, offset: s.offset })),
      onClear: () => dispatch(suggestionCleared()),
    }),
    [dispatch, readOnly],
  );

  const error = room.error ?? (connection.fatal ? describeRoomError(connection.fatal.code, { limit: room.limit, name, reason: connection.fatal.reason }) : null);
  if (error) {
    return (
      <ErrorScreen
        title={error.title}
        message={error.message}
        code={error.code}
        nameTaken={error.nameTaken}
        retryable={error.retryable}
        currentName={name}
        onRename={onRename}
      />
    );
  }

  const following = presence.following;
  const showOffline = connection.status !== 'connected' && (connection.offlineEdits || connection.status !== 'connecting');

  return (
    <div className="room-page" data-testid="room-page" data-role={room.role} data-mode={mode}>
      <RoomHeader
        roomName={room.name}
        language={room.language}
        roomId={room.roomId}
        viewId={room.viewId}
        readOnly={readOnly}
        savedAt={room.savedAt}
        saving={room.saving}
        limit={room.limit}
        onLimitChange={changeLimit}
        saveState={traits.reportsSaveState ? (connection.saveState ?? (connection.synced ? 'saved' : null)) : null}
        status={<ConnectionBadge status={connection.status} />}
        onRename={rename}
        onLanguageChange={changeLanguage}
        onSave={save}
        onLeave={leave}
        actions={
          <>
            <button
              type="button"
              className={`button small${history.authorship ? ' active' : ''}`}
              data-testid="authorship-toggle"
              aria-pressed={history.authorship}
              title="Colour the text by who wrote it"
              onClick={() => dispatch(authorshipToggled())}
            >
              Authorship
            </button>
            <button
              type="button"
              className={`button small${history.open ? ' active' : ''}`}
              data-testid="history-toggle"
              aria-pressed={history.open}
              onClick={history.open ? roomHistory.close : roomHistory.open}
            >
              History
            </button>
          </>
        }
      />
      {room.parent && (
        <div className="banner banner-fork" data-testid="forked-from" role="note">
          forked from <Link to={watchPath(room.parent.viewId)}>{room.parent.name || 'another room'}</Link>
        </div>
      )}
      {readOnly && (
        <div className="banner banner-watch" data-testid="viewer-banner" role="note">
          <strong>Watching</strong> — read-only. You see every edit and cursor live but cannot type.
        </div>
      )}
      {traits.notice && (
        <div className="banner banner-warn" data-testid={`${traits.mode}-banner`} role="note">
          <strong>{traits.notice.title}</strong> — {traits.notice.text}
        </div>
      )}
      {showOffline && (
        <div className="banner banner-offline" data-testid="offline-banner" role="status">
          {connection.status === 'offline' ? 'You are offline.' : 'Connection lost, reconnecting…'}{' '}
          {readOnly ? 'The view resumes when the connection is back.' : traits.offlineHint}
        </div>
      )}
      {room.degraded && room.status === 'ready' && (
        <div className="banner banner-warn" data-testid="degraded-banner" role="status">
          <strong>Server degraded</strong> — its database is unavailable. Changes are kept in memory and saved when the database is
          back.
        </div>
      )}
      {notice && (
        <div className="banner banner-error" role="alert" data-testid="notice">
          {notice}
        </div>
      )}
      {confirmation && (
        <div className="banner banner-ok" role="status" data-testid="confirmation">
          {confirmation}
        </div>
      )}
      {authorship.error && history.authorship && (
        <div className="banner banner-warn" role="status" data-testid="authorship-error">
          {authorship.error}
        </div>
      )}
      {toast && (
        <RestoreToast
          key={`${toast.version}:${toast.at}`}
          notice={toast}
          onUndo={readOnly ? undefined : () => roomHistory.restore(toast.backup)}
          onDismiss={() => dispatch(toastDismissed())}
        />
      )}
      {saveDialog && (
        <SaveDialog busy={saveDialog.busy} error={saveDialog.error} onSave={saveVersion} onCancel={() => setSaveDialog(null)} />
      )}
      <div className="room-body">
        <div className="editor-column">
          {session ? (
            <CodeEditor
              session={session}
              language={room.language}
              readOnly={readOnly}
              followClientId={following}
              onStopFollow={() => dispatch(followStopped())}
              autocomplete={autocomplete}
              highlights={authorship.highlights}
            />
          ) : (
            <div className="editor-placeholder" data-testid="editor-loading">
              {room.status === 'loading' && room.degraded ? (
                <span data-testid="degraded-loading" role="status">
                  <strong>Server degraded</strong> — the database is unavailable, so this room cannot be opened yet. Retrying
                  {room.retryInMs !== null ? ` in ${Math.ceil(room.retryInMs / 1000)} s` : ''}…
                </span>
              ) : room.status === 'loading' ? (
                'Opening room…'
              ) : (
                'Connecting…'
              )}
            </div>
          )}
          {session && (
            <RunPanel
              language={room.language}
              role={room.role}
              run={roomRun.run}
              entries={roomRun.entries}
              localOnly={roomRun.localOnly}
              onRun={roomRun.start}
              onStop={roomRun.stop}
              onClear={roomRun.clear}
              onLimitChange={roomRun.setLimit}
            />
          )}
          <footer className="status-bar">
            <span className="muted">
              {room.language} · LF · {traits.mergeLabel}
            </span>
            {history.authorship && authorship.authors.length > 0 && (
              <span className="authorship-legend" data-testid="authorship-legend">
                written by{' '}
                {authorship.authors.map((a) => (
                  <span key={a.name} className="legend-author" style={{ color: a.color }} title={`${a.chars} characters`}>
                    {a.name}
                  </span>
                ))}
              </span>
            )}
            {suggestion.status === 'waiting' && <span className="muted">thinking…</span>}
            {suggestion.status === 'shown' && (
              <span className="suggestion-hint" data-testid="suggestion-hint" data-source={suggestion.source ?? ''}>
                <span className={`source-pill source-${suggestion.source ?? 'local'}`}>
                  {SOURCE_LABELS[suggestion.source ?? 'local']}
                </span>
                suggestion · <kbd>Tab</kbd> accept · <kbd>Esc</kbd> dismiss
              </span>
            )}
            {following !== null && (
              <button type="button" className="link-button" onClick={() => dispatch(followStopped())} data-testid="following">
                following {presence.participants.find((p) => p.clientId === following)?.name ?? ''} · stop
              </button>
            )}
          </footer>
        </div>
        {history.open && (
          <div className="history-column">
            <HistoryPanel
              history={history}
              canEdit={!readOnly}
              editOnlyReason={EDIT_ONLY_REASON}
              currentText={liveText}
              language={room.language}
              views={HISTORY_VIEWS}
              loadVersion={roomHistory.loadVersion}
              loadReplay={roomHistory.loadReplay}
              onSelect={(versionId) => dispatch(versionSelected(versionId))}
              onMore={roomHistory.more}
              onRefresh={roomHistory.refresh}
              onClose={roomHistory.close}
              onRestore={restoreVersion}
              onFork={forkRoom}
            />
          </div>
        )}
        <aside className="side-panel">
          <ParticipantList
            participants={presence.participants}
            limit={room.limit}
            following={following}
            onToggleFollow={(clientId) => dispatch(followToggled(clientId))}
          />
        </aside>
      </div>
    </div>
  );
}

function ErrorScreen(props: {
  title: string;
  message: string;
  code: string;
  nameTaken: boolean;
  retryable: boolean;
  currentName: string;
  onRename(name: string): void;
}): ReactElement {
  return (
    <main className="center-screen">
      <div className="card error-card" data-testid="room-error" data-code={props.code}>
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        {props.nameTaken && <NameForm initial={props.currentName} onSubmit={props.onRename} submitLabel="Join with this name" />}
        <div className="button-row">
          {props.retryable && (
            <button type="button" className="button" data-testid="retry" onClick={() => window.location.reload()}>
              Try again
            </button>
          )}
          <Link className="button primary" to="/" data-testid="back-home">
            Back to home
          </Link>
        </div>
      </div>
    </main>
  );
}

function NameGate({ initial, onJoin, title }: { initial: string; onJoin(name: string): void; title: string }): ReactElement {
  return (
    <main className="center-screen">
      <div className="card" data-testid="name-gate">
        <h1>{title}</h1>
        <p className="muted">Choose the name others will see next to your cursor.</p>
        <NameForm initial={initial} onSubmit={onJoin} submitLabel="Join" />
      </div>
    </main>
  );
}

function NameForm({ initial, onSubmit, submitLabel }: { initial: string; onSubmit(name: string): void; submitLabel: string }): ReactElement {
  const dispatch = useAppDispatch();
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const check = checkDisplayName(value);
    if (!check.ok) {
      setError(check.message.charAt(0).toUpperCase() + check.message.slice(1));
      return;
    }
    dispatch(displayNameChanged(check.name));
    saveDisplayName(check.name);
    onSubmit(check.name);
  };
  return (
    <form onSubmit={submit} className="name-form" noValidate>
      <label className="field">
        <span className="field-label">Your name</span>
        <input data-testid="gate-name" value={value} autoFocus onChange={(event) => setValue(event.target.value)} />
        {error && (
          <span className="field-error" role="alert">
            {error}
          </span>
        )}
      </label>
      <button className="button primary" type="submit" data-testid="gate-join">
        {submitLabel}
      </button>
    </form>
  );
}
