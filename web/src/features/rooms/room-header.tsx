import { useEffect, useState, type ReactElement, type ReactNode } from 'react';
import { LANGUAGES, ROOM_NAME_MAX_LENGTH, editPath, isLanguage, watchPath, type Language } from '@pairpad/shared';
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
  /** The connection badge and anything else the page wants next to the title. */
  status: ReactNode;
  onRename(name: string): void;
  onLanguageChange(language: Language): void;
  onSave(): void;
  onLeave(): void;
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
    if (!editing) setDraft(roomName);
  }, [roomName, editing]);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(null), 1600);
    return () => clearTimeout(timer);
  }, [copied]);

  const commit = (): void => {
    setEditing(false);
    const next = draft.trim().slice(0, ROOM_NAME_MAX_LENGTH);
    if (next && next !== roomName) props.onRename(next);
    else setDraft(roomName);
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
            value={draft}
            maxLength={ROOM_NAME_MAX_LENGTH}
            placeholder="Untitled room"
            onFocus={() => setEditing(true)}
            onChange={(event) => setDraft(event.target.value)}
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
        <span className="toolbar-spacer" />
        {!readOnly && (
          <>
            {savedAt && (
              <span className="saved-at muted" data-testid="saved-at">
                saved {formatSavedAt(savedAt)}
              </span>
            )}
            <button type="button" className="button small" data-testid="save" disabled={saving} onClick={props.onSave}>
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
