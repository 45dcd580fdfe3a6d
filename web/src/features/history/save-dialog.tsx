import { useEffect, useRef, useState, type ReactElement } from 'react';
import { ROOM_NAME_MAX_LENGTH } from '@pairpad/shared';

export interface SaveDialogProps {
  busy: boolean;
  error: string | null;
  /** `name` is undefined when left empty (an unnamed saved version). */
  onSave(name: string | undefined): void;
  onCancel(): void;
}

/** Save a version: an optional name; Enter saves, Escape cancels. */
export function SaveDialog({ busy, error, onSave, onCancel }: SaveDialogProps): ReactElement {
  const [name, setName] = useState('');
  // Back to where the person was (usually the editor) when the dialog goes, so typing goes on.
  // Read while rendering: by the time effects run, autoFocus has moved focus to the name field.
  const [previous] = useState(() => document.activeElement);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const form = formRef.current;
    return () => {
      // Only once the dialog has really left the page (StrictMode replays effects on a live one).
      queueMicrotask(() => {
        if (form?.isConnected) return;
        if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
      });
    };
  }, [previous]);
  return (
    <div className="dialog-backdrop" onMouseDown={(event) => event.target === event.currentTarget && onCancel()}>
      <form
        ref={formRef}
        className="card dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="save-dialog-title"
        data-testid="save-dialog"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (busy) return;
          const trimmed = name.trim();
          onSave(trimmed === '' ? undefined : trimmed);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            onCancel();
          }
        }}
      >
        <h2 id="save-dialog-title">Save a version</h2>
        <label className="field">
          <span className="field-label">Name (optional)</span>
          <input
            data-testid="version-name"
            value={name}
            autoFocus
            maxLength={ROOM_NAME_MAX_LENGTH}
            placeholder="e.g. passes the first test"
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        {error && (
          <p className="field-error" role="alert" data-testid="save-error">
            {error}
          </p>
        )}
        <div className="button-row">
          <button type="submit" className="button primary" data-testid="save-confirm" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="button" data-testid="save-cancel" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
