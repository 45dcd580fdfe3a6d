import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { ParticipantList } from './participant-list';
import type { PresenceEntry } from './presence-slice';

const people: PresenceEntry[] = [
  { clientId: 1, name: 'Ada', color: '#ff6b6b', role: 'editor', online: true, typing: false, self: true },
  { clientId: 2, name: 'Bob', color: '#4dabf7', role: 'editor', online: true, typing: true, self: false },
  { clientId: 3, name: 'Vic', color: '#51cf66', role: 'viewer', online: true, typing: false, self: false },
  { clientId: null, name: 'Old', color: '#fcc419', role: 'editor', online: false, typing: false, self: false },
];

describe('ParticipantList', () => {
  it('shows count, roles, typing and offline people', () => {
    render(<ParticipantList participants={people} limit={5} following={null} onToggleFollow={() => {}} />);
    expect(screen.getByTestId('online-count').textContent).toBe('3 online / limit 5');
    const rows = screen.getAllByTestId('participant');
    expect(rows.map((r) => r.dataset.name)).toEqual(['Ada', 'Bob', 'Vic', 'Old']);
    expect(rows[1]?.dataset.typing).toBe('true');
    expect(rows[3]?.dataset.online).toBe('false');
    expect(rows[2]?.textContent).toContain('viewer');
    expect(screen.getAllByTestId('typing-indicator')).toHaveLength(1);
  });

  it('click follows someone else, never yourself or an offline person', () => {
    const onToggle = vi.fn();
    render(<ParticipantList participants={people} limit={5} following={2} onToggleFollow={onToggle} />);
    const buttons = screen.getAllByRole('button');
    fireEvent.click(buttons[0]!);
    fireEvent.click(buttons[3]!);
    expect(onToggle).not.toHaveBeenCalled();
    fireEvent.click(buttons[1]!);
    expect(onToggle).toHaveBeenCalledWith(2);
    expect(screen.getByText('following')).toBeTruthy();
  });
});
