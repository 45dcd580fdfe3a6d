import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';

const copyText = vi.fn<(text: string) => Promise<boolean>>();
vi.mock('./clipboard', () => ({ copyText: (text: string) => copyText(text) }));
const { RoomHeader } = await import('./room-header');

afterEach(() => {
  cleanup();
  copyText.mockReset();
});

function renderHeader() {
  const noop = () => {};
  return render(
    <RoomHeader
      roomName="Pairing"
      language="python"
      roomId="room123456"
      viewId="view123456"
      readOnly={false}
      savedAt={null}
      saving={false}
      status={null}
      onRename={noop}
      onLanguageChange={noop}
      onSave={noop}
      onLeave={noop}
      limit={5}
      onLimitChange={async () => null}
    />,
  );
}

describe('room header links', () => {
  it('says "Copied!" when the clipboard took the link', async () => {
    copyText.mockResolvedValue(true);
    renderHeader();
    fireEvent.click(screen.getByTestId('copy-view-link'));
    await waitFor(() => expect(screen.getByTestId('copy-view-link').textContent).toBe('Copied!'));
    expect(copyText).toHaveBeenCalledWith(`${window.location.origin}/watch/view123456`);
    expect(screen.queryByTestId('manual-link')).toBeNull();
  });

  it('shows the link selected for copying by hand when the clipboard is blocked', async () => {
    copyText.mockResolvedValue(false);
    renderHeader();
    fireEvent.click(screen.getByTestId('copy-edit-link'));
    const field = (await screen.findByTestId('manual-link')) as HTMLInputElement;
    expect(field.value).toBe(`${window.location.origin}/room/room123456`);
    expect(field.readOnly).toBe(true);
    expect(screen.getByTestId('copy-edit-link').textContent).toBe('Copy edit link');
    fireEvent.keyDown(field, { key: 'Escape' });
    expect(screen.queryByTestId('manual-link')).toBeNull();
  });
});

describe('room header drafts', () => {
  const props = {
    language: 'python' as const,
    roomId: 'room123456',
    viewId: 'view123456',
    readOnly: false,
    savedAt: null,
    saving: false,
    status: null,
    onLanguageChange: () => {},
    onSave: () => {},
    onLeave: () => {},
    onLimitChange: async () => null,
  };

  it('shows a live rename and capacity change unless this user is typing a value', () => {
    const onRename = vi.fn();
    const { rerender } = render(<RoomHeader {...props} roomName="Pairing" limit={5} onRename={onRename} />);
    const title = screen.getByTestId('room-title') as HTMLInputElement;
    const capacity = screen.getByTestId('capacity-input') as HTMLInputElement;
    rerender(<RoomHeader {...props} roomName="Renamed" limit={6} onRename={onRename} />);
    expect(title.value).toBe('Renamed');
    expect(capacity.value).toBe('6');

    fireEvent.focus(title);
    fireEvent.change(title, { target: { value: 'Mine' } });
    fireEvent.focus(capacity);
    fireEvent.change(capacity, { target: { value: '9' } });
    rerender(<RoomHeader {...props} roomName="Theirs" limit={7} onRename={onRename} />);
    expect(title.value).toBe('Mine');
    expect(capacity.value).toBe('9');

    fireEvent.blur(title);
    expect(onRename).toHaveBeenCalledWith('Mine');
    fireEvent.keyDown(capacity, { key: 'Escape' });
    expect(capacity.value).toBe('7');
  });
});
