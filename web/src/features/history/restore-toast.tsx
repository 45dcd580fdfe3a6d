import { useState, type ReactElement } from 'react';
import type { RestoreNotice } from '@pairpad/shared';
import { restoreMessage } from './format';

export interface RestoreToastProps {
  notice: RestoreNotice;
  /** Editors only: restores the version taken just before; resolves with a refusal in words, or null. */
  onUndo?: () => Promise<string | null>;
  onDismiss(): void;
}

/** "Alice restored the 14:02 version", with Undo for editors. */
export function RestoreToast({ notice, onUndo, onDismiss }: RestoreToastProps): ReactElement {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="toast" role="status" data-testid="restore-toast" data-version={notice.version} data-backup={notice.backup}>
      <span data-testid="restore-toast-text">{restoreMessage(notice)}</span>
      {onUndo && (
        <button
          type="button"
          className="button small"
          data-testid="restore-undo"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void onUndo().then((refused) => {
              setBusy(false);
              if (refused) setError(refused);
              else onDismiss();
            });
          }}
        >
          {busy ? 'Undoing…' : 'Undo'}
        </button>
      )}
      <button type="button" className="link-button" data-testid="restore-toast-close" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
