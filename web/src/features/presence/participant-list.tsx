import type { ReactElement } from 'react';
import type { PresenceEntry } from './presence-slice';

export interface ParticipantListProps {
  participants: PresenceEntry[];
  limit: number;
  following: number | null;
  onToggleFollow(clientId: number): void;
}

/** Who is here: colour, role, typing, online/offline; click someone to follow their cursor. */
export function ParticipantList({ participants, limit, following, onToggleFollow }: ParticipantListProps): ReactElement {
  const online = participants.filter((p) => p.online).length;
  return (
    <section className="presence" aria-label="Participants" data-testid="presence-panel">
      <header className="presence-header">
        <h2>People</h2>
        <span className="presence-count" data-testid="online-count">
          {online} online / limit {limit}
        </span>
      </header>
      <ul className="presence-list">
        {participants.map((p) => {
          const followable = p.online && !p.self && p.clientId !== null;
          const isFollowed = followable && following === p.clientId;
          return (
            <li
              key={`${p.name}:${p.clientId ?? 'off'}`}
              className={`participant${p.online ? '' : ' is-offline'}${isFollowed ? ' is-followed' : ''}`}
              data-testid="participant"
              data-name={p.name}
              data-online={p.online ? 'true' : 'false'}
              data-typing={p.typing ? 'true' : 'false'}
            >
              <button
                type="button"
                className="participant-button"
                disabled={!followable}
                aria-pressed={isFollowed}
                title={followable ? (isFollowed ? 'Stop following' : `Follow ${p.name}'s cursor`) : undefined}
                onClick={() => {
                  if (followable && p.clientId !== null) onToggleFollow(p.clientId);
                }}
              >
                <span className="avatar" style={{ background: p.color }} aria-hidden="true">
                  {p.name.trim().charAt(0).toUpperCase()}
                </span>
                <span className="participant-main">
                  <span className="participant-name">
                    {p.name}
                    {p.self && <span className="tag">you</span>}
                  </span>
                  <span className="participant-sub">
                    <span className={`dot ${p.online ? 'dot-online' : 'dot-offline'}`} aria-hidden="true" />
                    {p.online ? 'online' : 'offline'} · {p.role}
                    {p.typing && (
                      <span className="typing" data-testid="typing-indicator">
                        {' '}
                        · typing<span className="typing-dots" aria-hidden="true" />
                      </span>
                    )}
                  </span>
                </span>
                {isFollowed && <span className="follow-tag">following</span>}
              </button>
            </li>
          );
        })}
      </ul>
      {participants.some((p) => p.online && !p.self && p.clientId !== null) && (
        <p className="hint">Click someone to follow their cursor; type or click again to stop.</p>
      )}
    </section>
  );
}
