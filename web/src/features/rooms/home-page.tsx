import { useState, type FormEvent, type ReactElement } from 'react';
import {
  DEFAULT_LANGUAGE,
  LANGUAGES,
  NAME_MAX_LENGTH,
  NAME_MIN_LENGTH,
  ROOM_LIMIT_DEFAULT,
  ROOM_LIMIT_MAX,
  ROOM_LIMIT_MIN,
  type CreatedRoom,
  type RoomLink,
} from '@pairpad/shared';
import { ApiError, type RoomsApi } from './rooms-api';
import { validateCreate, validateJoin, type CreateErrors } from './validation';
import { LANGUAGE_LABELS } from './language-labels';

export interface HomePageProps {
  displayName: string;
  onDisplayNameChange(name: string): void;
  api: Pick<RoomsApi, 'create'>;
  onCreated(room: CreatedRoom, displayName: string): void;
  onJoin(link: RoomLink, displayName: string): void;
}

/** Create a room or join one; nothing is sent until the form is valid. */
export function HomePage({ displayName, onDisplayNameChange, api, onCreated, onJoin }: HomePageProps): ReactElement {
  const [roomName, setRoomName] = useState('');
  const [language, setLanguage] = useState<string>(DEFAULT_LANGUAGE);
  const [limit, setLimit] = useState(String(ROOM_LIMIT_DEFAULT));
  const [createErrors, setCreateErrors] = useState<CreateErrors>({});
  const [createTouched, setCreateTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [link, setLink] = useState('');
  const [joinErrors, setJoinErrors] = useState<{ displayName?: string; link?: string }>({});
  const [joinTouched, setJoinTouched] = useState(false);

  const form = { displayName, roomName, language, limit };
  // Inline validation: once a form was submitted (or a field left), errors follow every keystroke.
  const liveCreate = (next: Partial<typeof form>): void => {
    if (!createTouched) return;
    const result = validateCreate({ ...form, ...next });
    setCreateErrors(result.ok ? {} : result.errors);
  };
  const liveJoin = (nextName: string, nextLink: string): void => {
    if (!joinTouched) return;
    const result = validateJoin(nextName, nextLink);
    setJoinErrors(result.ok ? {} : result.errors);
  };

  const changeName = (value: string): void => {
    onDisplayNameChange(value);
    liveCreate({ displayName: value });
    liveJoin(value, link);
  };

  const submitCreate = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setCreateTouched(true);
    setServerError(null);
    const result = validateCreate(form);
    if (!result.ok) {
      setCreateErrors(result.errors);
      return;
    }
    setCreateErrors({});
    setBusy(true);
    try {
      const { value } = result;
      const room = await api.create({
        language: value.language,
        limit: value.limit,
        ...(value.roomName ? { name: value.roomName } : {}),
      });
      onCreated(room, value.displayName);
    } catch (error) {
      setServerError(error instanceof ApiError ? error.message : 'Could not create the room. Try again.');
    } finally {
      setBusy(false);
    }
  };

  const submitJoin = (event: FormEvent): void => {
    event.preventDefault();
    setJoinTouched(true);
    const result = validateJoin(displayName, link);
    if (!result.ok) {
      setJoinErrors(result.errors);
      return;
    }
    setJoinErrors({});
    onJoin(result.link, result.displayName);
  };

  const nameError = createErrors.displayName ?? joinErrors.displayName;

  return (
    <main className="home">
      <section className="hero">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          pairpad
        </div>
        <p className="tagline">Real-time pair programming in the browser. Share a link, code together, see every cursor.</p>
      </section>

      <div className="card name-card">
        <label className="field">
          <span className="field-label">Your name</span>
          <input
            data-testid="display-name"
            value={displayName}
            placeholder={`${NAME_MIN_LENGTH}-${NAME_MAX_LENGTH} characters`}
            autoComplete="nickname"
            maxLength={64}
            aria-invalid={nameError ? true : undefined}
            onChange={(event) => changeName(event.target.value)}
          />
          {nameError && (
            <span className="field-error" data-testid="display-name-error" role="alert">
              {nameError}
            </span>
          )}
          <span className="field-help">Others see this next to your cursor. Remembered on this device.</span>
        </label>
      </div>

      <div className="home-grid">
        <form className="card" onSubmit={(event) => void submitCreate(event)} noValidate data-testid="create-form">
          <h2>Create a room</h2>
          <label className="field">
            <span className="field-label">Room name (optional)</span>
            <input
              data-testid="room-name"
              value={roomName}
              placeholder="Untitled room"
              maxLength={120}
              onChange={(event) => {
                setRoomName(event.target.value);
                liveCreate({ roomName: event.target.value });
              }}
            />
            {createErrors.roomName && <span className="field-error">{createErrors.roomName}</span>}
          </label>
          <div className="field-row">
            <label className="field">
              <span className="field-label">Language</span>
              <select
                data-testid="create-language"
                value={language}
                onChange={(event) => {
                  setLanguage(event.target.value);
                  liveCreate({ language: event.target.value });
                }}
              >
                {LANGUAGES.map((lang) => (
                  <option key={lang} value={lang}>
                    {LANGUAGE_LABELS[lang]}
                  </option>
                ))}
              </select>
              {createErrors.language && <span className="field-error">{createErrors.language}</span>}
            </label>
            <label className="field">
              <span className="field-label">Capacity</span>
              <input
                data-testid="create-limit"
                type="number"
                inputMode="numeric"
                min={ROOM_LIMIT_MIN}
                max={ROOM_LIMIT_MAX}
                value={limit}
                aria-invalid={createErrors.limit ? true : undefined}
                onChange={(event) => {
                  setLimit(event.target.value);
                  liveCreate({ limit: event.target.value });
                }}
              />
              {createErrors.limit && (
                <span className="field-error" data-testid="create-limit-error" role="alert">
                  {createErrors.limit}
                </span>
              )}
            </label>
          </div>
          {serverError && (
            <p className="form-error" role="alert" data-testid="create-error">
              {serverError}
            </p>
          )}
          <button className="button primary" type="submit" disabled={busy} data-testid="create-room">
            {busy ? 'Creating…' : 'Create room'}
          </button>
        </form>

        <form className="card" onSubmit={submitJoin} noValidate data-testid="join-form">
          <h2>Join a room</h2>
          <label className="field">
            <span className="field-label">Room id or link</span>
            <input
              data-testid="join-link"
              value={link}
              placeholder="Paste an edit link, a view link or a room id"
              aria-invalid={joinErrors.link ? true : undefined}
              onChange={(event) => {
                setLink(event.target.value);
                liveJoin(displayName, event.target.value);
              }}
            />
            {joinErrors.link && (
              <span className="field-error" data-testid="join-link-error" role="alert">
                {joinErrors.link}
              </span>
            )}
            <span className="field-help">A view link lets you watch without editing.</span>
          </label>
          <button className="button" type="submit" data-testid="join-room">
            Join
          </button>
        </form>
      </div>
    </main>
  );
}
