import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import * as Y from 'yjs';
import { DOC_TEXT_KEY, type Language, type VersionSummary } from '@pairpad/shared';
import { HistoryPanel, type HistoryPanelProps, type HistoryViews } from './history-panel';
import { historyApi } from './history-api';
import { initialHistoryState, type HistoryState } from './history-slice';
import { REPLAY_STEP_MS } from './replay-pane';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const views: HistoryViews = {
  Diff: ({ original, modified }: { original: string; modified: string; language: Language }) => (
    <div data-testid="version-diff" data-original={original} data-modified={modified} />
  ),
  Code: ({ text }: { text: string; language: Language }) => <pre data-testid="replay-code">{text}</pre>,
};

const v = (id: number, over: Partial<VersionSummary> = {}): VersionSummary => ({
  id,
  at: '2026-01-01T10:00:00Z',
  kind: 'auto',
  name: null,
  by: null,
  authors: [],
  inserted: 0,
  deleted: 0,
  length: 0,
  ...over,
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

function replayBody() {
  const doc = new Y.Doc();
  const text = doc.getText(DOC_TEXT_KEY);
  text.insert(0, 'v1');
  const base = b64(Y.encodeStateAsUpdate(doc));
  const steps: { at: string; author: string; update: string }[] = [];
  doc.on('update', (update: Uint8Array) => steps.push({ at: '2026-01-01T10:00:05Z', author: 'Bobby', update: b64(update) }));
  text.insert(2, '+a');
  text.insert(4, '+b');
  return { from: 1, to: 2, base, steps };
}

/** The panel with the real REST client over a mocked fetch. */
function renderPanel(history: Partial<HistoryState>, over: Partial<HistoryPanelProps> = {}) {
  const fetchMock = vi.fn(async (url: string) => {
    const version = /\/versions\/(\d+)$/.exec(url);
    if (version) return json({ ...v(Number(version[1])), text: `text of ${version[1]}`, language: 'python' });
    if (url.includes('/replay?')) return json(replayBody());
    return json({ error: { code: 'not_found', message: 'no' } }, 404);
  });
  vi.stubGlobal('fetch', fetchMock);
  const props: HistoryPanelProps = {
    history: { ...initialHistoryState, open: true, status: 'ready', ...history },
    canEdit: true,
    editOnlyReason: 'Restore and fork need the edit link.',
    currentText: 'text now',
    language: 'python',
    views,
    loadVersion: (id) => historyApi.details('room123456', id),
    loadReplay: (from, to) => historyApi.replay('room123456', from, to),
    onSelect: vi.fn(),
    onMore: vi.fn(),
    onRefresh: vi.fn(),
    onClose: vi.fn(),
    onRestore: vi.fn(async () => null),
    onFork: vi.fn(async () => null),
    ...over,
  };
  render(<HistoryPanel {...props} />);
  return { props, fetchMock };
}

describe('HistoryPanel', () => {
  it('lists versions with kind, coloured authors and size, and pages on', () => {
    const { props } = renderPanel({
      versions: [
        v(3, { kind: 'named', name: 'green tests', authors: [{ name: 'Alice', color: '#ff6b6b' }, { name: 'Bobby', color: '#4dabf7' }], inserted: 120, deleted: 30 }),
        v(2, { kind: 'before_restore' }),
        v(1),
      ],
      nextBefore: 1,
    });
    const items = screen.getAllByTestId('version-item');
    expect(items.map((item) => item.dataset.kind)).toEqual(['named', 'before_restore', 'auto']);
    expect(items[0]?.textContent).toContain('Saved: green tests');
    expect(items[1]?.textContent).toContain('Before restore');
    expect(items[2]?.textContent).toContain('Auto');
    const authors = screen.getAllByTestId('version-author');
    expect(authors.map((a) => [a.textContent, a.style.color])).toEqual([
      ['Alice, ', 'rgb(255, 107, 107)'],
      ['Bobby', 'rgb(77, 171, 247)'],
    ]);
    expect(screen.getAllByTestId('version-size')[0]?.textContent).toBe('+120 −30 chars');
    fireEvent.click(items[1]!);
    expect(props.onSelect).toHaveBeenCalledWith(2);
    fireEvent.click(screen.getByTestId('history-more'));
    expect(props.onMore).toHaveBeenCalled();
  });

  it('shows the selected version against the text now, fetched from the server', async () => {
    const { fetchMock } = renderPanel({ versions: [v(4), v(3)], selectedId: 3 });
    const diff = await screen.findByTestId('version-diff');
    expect(diff.dataset.original).toBe('text of 3');
    expect(diff.dataset.modified).toBe('text now');
    expect(String(fetchMock.mock.calls[0]?.[0])).toMatch(/\/rooms\/room123456\/versions\/3$/);
  });

  it('restore asks first, then restores; fork forks the selected version', async () => {
    const selected = v(3, { kind: 'named', name: 'x' });
    const { props } = renderPanel({ versions: [v(4), selected], selectedId: 3 });
    fireEvent.click(screen.getByTestId('restore'));
    expect(props.onRestore).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('restore-confirm'));
    await waitFor(() => expect(props.onRestore).toHaveBeenCalledWith(selected));
    await waitFor(() => expect(screen.getByTestId('restore')).toBeTruthy());
    fireEvent.click(screen.getByTestId('fork'));
    await waitFor(() => expect(props.onFork).toHaveBeenCalledWith(selected));
  });

  it('shows a refused restore in words', async () => {
    renderPanel({ versions: [v(3)], selectedId: 3 }, { onRestore: async () => 'Restore failed: nope.' });
    fireEvent.click(screen.getByTestId('restore'));
    fireEvent.click(screen.getByTestId('restore-confirm'));
    expect((await screen.findByTestId('version-error')).textContent).toBe('Restore failed: nope.');
  });

  it('viewers see diffs but no restore or fork, with the reason', async () => {
    renderPanel({ versions: [v(3)], selectedId: 3 }, { canEdit: false });
    await screen.findByTestId('version-diff');
    expect(screen.queryByTestId('restore')).toBeNull();
    expect(screen.queryByTestId('fork')).toBeNull();
    expect(screen.queryByTestId('fork-current')).toBeNull();
    expect(screen.getByTestId('edit-only-reason').textContent).toBe('Restore and fork need the edit link.');
  });

  it('replays to the next newer version: slider and play step through the edits with their author', async () => {
    const { fetchMock } = renderPanel({ versions: [v(2), v(1)], selectedId: 1 });
    fireEvent.click(screen.getByTestId('tab-replay'));
    await screen.findByTestId('replay');
    expect(String(fetchMock.mock.calls.at(-1)?.[0])).toMatch(/\/replay\?from=1&to=2$/);
    expect(screen.getByTestId('replay-code').textContent).toBe('v1');
    expect(screen.getByTestId('replay').dataset.end).toBe('2');
    fireEvent.change(screen.getByTestId('replay-slider'), { target: { value: '2' } });
    expect(screen.getByTestId('replay-code').textContent).toBe('v1+a+b');
    expect(screen.getByTestId('replay-step').textContent).toMatch(/^step 2 \/ 2 · Bobby · /);
    fireEvent.change(screen.getByTestId('replay-slider'), { target: { value: '0' } });
    expect(screen.getByTestId('replay-code').textContent).toBe('v1');

    vi.useFakeTimers();
    fireEvent.click(screen.getByTestId('replay-play'));
    await act(async () => {
      vi.advanceTimersByTime(REPLAY_STEP_MS);
    });
    expect(screen.getByTestId('replay-code').textContent).toBe('v1+a');
    await act(async () => {
      vi.advanceTimersByTime(REPLAY_STEP_MS);
    });
    expect(screen.getByTestId('replay-code').textContent).toBe('v1+a+b');
    // It stops at the end: the button offers Play again.
    expect(screen.getByTestId('replay-play').getAttribute('aria-label')).toBe('Play');
  });
});
