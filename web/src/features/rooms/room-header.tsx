import { useEffect, useState, type ReactElement, type ReactNode } from 'react';
import {
  LANGUAGES,
  ROOM_LIMIT_MAX,
  ROOM_LIMIT_MIN,
  ROOM_NAME_MAX_LENGTH,
  editPath,
  isLanguage,
  watchPath,
  type Language,
} from '@pairpad/shared';
import { LANGUAGE_LABELS } from './language-labels';
import { copyText } from './clipboard';

export interface RoomHeaderProps {
  roomName: string;
  language: Language;
  roomId: string | null;
  viewId: string | null;
  readOnly: boolean;
  savedAt: string | null;
  saving: boolean;
  /** The room's capacity as the server last published it. */
  limit: number;
  /**
   * Whether the server holds this tab's edits (live mode; null = unknown): 'saved' once it has
   * answered a request sent after the last edit, 'saving' until then, 'offline' while disconnected.
   */
  saveState?: 'saved' | 'saving' | 'offline' | null;
  /** The connection badge and anything else the page wants next to the title. */
  status: ReactNode;
  /** More buttons for the room (History, Authorship), at the end of the title row. */
  actions?: ReactNode;
  onRename(name: string): void;
  onLanguageChange(language: Language): void;
  onSave(): void;
  onLeave(): void;
  /** Editors only: PATCH the capacity; resolves with the server's refusal in words, or null. */
  onLimitChange(limit: number): Promise<string | null>;
}

/** The create form's rule for capacity, applied before anything is sent. */
export function checkLimitInput(raw: string): { ok: true; limit: number } | { ok: false; message: string } {
  const text = raw.trim();
  const limit = Number(text);
  if (text === '' || !Number.isInteger(limit) || limit < ROOM_LIMIT_MIN || limit > ROOM_LIMIT_MAX) {
    return { ok: false, message: `Capacity must be a whole number from ${ROOM_LIMIT_MIN} to ${ROOM_LIMIT_MAX}` };
  }
  return { ok: true, limit };
}

export function formatSavedAt(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function RoomHeader(props: RoomHeaderProps): ReactElement {
  const { roomName, language, roomId, viewId, readOnly, savedAt, saving, status } = props;
  const [draft, setDraft] = useState(roomName);
  const [editing, setEditing] = useState(false);
  const [copied, setCopied] = useState<'edit' | 'view' | null>(null);
  /** A link the clipboard refused: shown selected, for Ctrl+C by hand. */
  const [manualLink, setManualLink] = useState<{ kind: 'edit' | 'view'; url: string } | null>(null);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(null), 1600);
    return () => clearTimeout(timer);
  }, [copied]);

  const commit = (): void => {
    setEditing(false);
    const next = (editing ? draft : roomName).trim().slice(0, ROOM_NAME_MAX_LENGTH);
    if (next && next !== roomName) props.onRename(next);
  };

  const copy = async (kind: 'edit' | 'view'): Promise<void> => {
    const path = kind === 'edit' && roomId ? editPath(roomId) : viewId ? watchPath(viewId) : null;
    if (!path) return;
    const url = window.location.origin + path;
    if (await copyText(url)) {
      setManualLink(null);
      setCopied(kind);
    } else setManualLink({ kind, url });
  };

  return (
    <header className="room-header">
      <div className="room-title-row">
        <a className="brand" href="/" onClick={(event) => { event.preventDefault(); props.onLeave(); }} title="Leave to home">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-text">pairpad</span>
        </a>
        {readOnly ? (
          <h1 className="room-name" data-testid="room-title">
            {roomName || 'Untitled room'}
          </h1>
        ) : (
          <input
            className="room-name-input"
            data-testid="room-title"
            aria-label="Room name"
            value={editing ? draft : roomName}
            maxLength={ROOM_NAME_MAX_LENGTH}
            placeholder="Untitled room"
            onFocus={() => {
              // While not editing the field shows the live name; editing starts from it.
              if (!editing) setDraft(roomName);
              setEditing(true);
            }}
            onChange={(event) => {
              setDraft(event.target.value);
              setEditing(true);
            }}
            onBlur={commit}
            onKeyDown={(event) => {
              if (event.key === 'Enter') event.currentTarget.blur();
              if (event.key === 'Escape') {
                setDraft(roomName);
                setEditing(false);
                event.currentTarget.blur();
              }
            }}
          />
        )}
        {status}
        {props.actions && (
          <>
            <span className="toolbar-spacer" />
            <span className="room-actions">{props.actions}</span>
          </>
        )}
      </div>
      <div className="room-toolbar">
        <label className="inline-field">
          <span className="sr-only">Language</span>
          <select
            data-testid="language-select"
            value={language}
            disabled={readOnly}
            onChange={(event) => {
              if (isLanguage(event.target.value)) props.onLanguageChange(event.target.value);
            }}
          >
            {LANGUAGES.map((lang) => (
              <option key={lang} value={lang}>
                {LANGUAGE_LABELS[lang]}
              </option>
            ))}
          </select>
        </label>
        {roomId && (
          <span className="room-id" title="Room id: anyone with it can edit">
            <span className="muted">room</span> <code data-testid="room-id">{roomId}</code>
          </span>
        )}
        {roomId && (
          <button type="button" className="button small" data-testid="copy-edit-link" onClick={() => void copy('edit')}>
            {copied === 'edit' ? 'Copied!' : 'Copy edit link'}
          </button>
        )}
        {viewId && (
          <button type="button" className="button small" data-testid="copy-view-link" onClick={() => void copy('view')}>
            {copied === 'view' ? 'Copied!' : 'Copy view link'}
          </button>
        )}
        {manualLink && (
          <label className="manual-link">
            <span className="muted">Copying was blocked; press Ctrl+C:</span>
            <input
              readOnly
              autoFocus
              data-testid="manual-link"
              aria-label={manualLink.kind === 'edit' ? 'Edit link' : 'View link'}
              value={manualLink.url}
              onFocus={(event) => event.currentTarget.select()}
              onBlur={() => setManualLink(null)}
              onKeyDown={(event) => {
                if (event.key === 'Escape') setManualLink(null);
              }}
            />
          </label>
        )}
        {!readOnly && <CapacityControl limit={props.limit} onChange={props.onLimitChange} />}
        <span className="toolbar-spacer" />
        {!readOnly && (
          <>
            {props.saveState && (
              <span
                className={`save-state save-state-${props.saveState}`}
                data-testid="save-state"
                data-state={props.saveState}
                role="status"
                title="Edits are sent as you type and stored by the server continuously. Save (Ctrl+S) also keeps a named version in History."
              >
                {props.saveState === 'saved'
                  ? 'All changes saved'
                  : props.saveState === 'saving'
                    ? 'Saving…'
                    : 'Offline: changes kept in this tab'}
              </span>
            )}
            {savedAt && (
              <span className="saved-at muted" data-testid="saved-at">
                saved {formatSavedAt(savedAt)}
              </span>
            )}
            <button
              type="button"
              className="button small"
              data-testid="save"
              disabled={saving}
              onClick={props.onSave}
              title="Save a version, optionally named (Ctrl+S)"
            >
              {saving ? 'Saving…' : 'Save'}
            </button>
          </>
        )}
        <button type="button" className="button small danger" data-testid="leave" onClick={props.onLeave}>
          Leave
        </button>
      </div>
    </header>
  );
}

/** Room capacity for editors: same rule as PATCH (2..20), and the server's 409 in plain words. */
function CapacityControl({ limit, onChange }: { limit: number; onChange(limit: number): Promise<string | null> }): ReactElement {
  const [draft, setDraft] = useState(String(limit));
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // A change by someone else (live through meta) shows up unless this user is typing a value.
  const shown = editing || busy ? draft : String(limit);

  const submit = async (): Promise<void> => {
    const check = checkLimitInput(shown);
    if (!check.ok) {
      setError(check.message);
      return;
    }
    setError(null);
    if (check.limit === limit) {
      setEditing(false);
      return;
    }
    setBusy(true);
    const refused = await onChange(check.limit);
    setBusy(false);
    setEditing(false);
    if (refused) {
      setError(refused);
      setDraft(String(limit));
    }
  };

  return (
    <form
      className="capacity-control"
      data-testid="capacity-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label className="inline-field">
        <span className="muted">limit</span>
        <input
          type="number"
          inputMode="numeric"
          min={ROOM_LIMIT_MIN}
          max={ROOM_LIMIT_MAX}
          className="capacity-input"
          data-testid="capacity-input"
          aria-label="Room capacity (people at once)"
          aria-invalid={error ? true : undefined}
          value={shown}
          disabled={busy}
          onFocus={() => {
            if (!editing && !busy) setDraft(String(limit));
            setEditing(true);
          }}
          onChange={(event) => {
            setDraft(event.target.value);
            setEditing(true);
            setError(null);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              setDraft(String(limit));
              setError(null);
              setEditing(false);
              event.currentTarget.blur();
            }
          }}
        />
      </label>
      <button type="submit" className="button small" data-testid="capacity-apply" disabled={busy}>
        {busy ? 'Setting…' : 'Set'}
      </button>
      {error && (
        <span className="field-error capacity-error" role="alert" data-testid="capacity-error">
          {error}
        </span>
      )}
    </form>
  );
}
