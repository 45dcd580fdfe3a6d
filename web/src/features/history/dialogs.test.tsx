import { StrictMode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { SaveDialog } from './save-dialog';
import { RestoreToast } from './restore-toast';

describe('SaveDialog', () => {
  it('Enter saves the trimmed name (none when empty); Escape cancels', () => {
    const onSave = vi.fn();
    const onCancel = vi.fn();
    render(<SaveDialog busy={false} error={null} onSave={onSave} onCancel={onCancel} />);
    const input = screen.getByTestId('version-name');
    fireEvent.change(input, { target: { value: '  green  ' } });
    fireEvent.submit(input.closest('form')!);
    expect(onSave).toHaveBeenLastCalledWith('green');
    fireEvent.change(input, { target: { value: '   ' } });
    fireEvent.submit(input.closest('form')!);
    expect(onSave).toHaveBeenLastCalledWith(undefined);
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('keeps the focus while open (also under StrictMode) and gives it back to where it was when it closes', async () => {
    const outside = document.createElement('textarea');
    document.body.appendChild(outside);
    outside.focus();
    const { unmount } = render(
      <StrictMode>
        <SaveDialog busy={false} error={null} onSave={() => {}} onCancel={() => {}} />
      </StrictMode>,
    );
    await Promise.resolve();
    expect(document.activeElement).toBe(screen.getByTestId('version-name'));
    unmount();
    await waitFor(() => expect(document.activeElement).toBe(outside));
    outside.remove();
  });

  it('shows a refusal and does not save twice while busy', () => {
    const onSave = vi.fn();
    render(<SaveDialog busy error="Save failed." onSave={onSave} onCancel={() => {}} />);
    fireEvent.submit(screen.getByTestId('save-dialog'));
    expect(onSave).not.toHaveBeenCalled();
    expect(screen.getByTestId('save-error').textContent).toBe('Save failed.');
  });
});

describe('RestoreToast', () => {
  const notice = { kind: 'restored' as const, by: 'Alice', version: 3, versionAt: '2026-01-01T14:02:00Z', versionName: null, backup: 7, at: '2026-01-01T15:00:00Z' };

  it('says who restored which version; Undo restores the backup and closes', async () => {
    const onUndo = vi.fn(async () => null);
    const onDismiss = vi.fn();
    render(<RestoreToast notice={notice} onUndo={onUndo} onDismiss={onDismiss} />);
    expect(screen.getByTestId('restore-toast-text').textContent).toMatch(/^Alice restored the \d\d:\d\d version$/);
    fireEvent.click(screen.getByTestId('restore-undo'));
    await waitFor(() => expect(onDismiss).toHaveBeenCalled());
    expect(onUndo).toHaveBeenCalledTimes(1);
  });

  it('viewers get no Undo', () => {
    render(<RestoreToast notice={notice} onDismiss={() => {}} />);
    expect(screen.queryByTestId('restore-undo')).toBeNull();
  });
});
