import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { Provider } from 'react-redux';
import * as Y from 'yjs';
import type { RoomSession, TextBinders } from '../features/editor/room-session';
import type { RunHandlers, RunRequest } from '../features/run/runner';
import { makeStore } from './store';
import { useRoomRun } from './use-room-run';

// The runner (workers, sucrase, Pyodide) is what the page imports on the first Run; here it is
// a fake that records each run and lets the test play the worker's part.
const runs = vi.hoisted(() => [] as { request: RunRequest; handlers: RunHandlers; stop: () => void }[]);
vi.mock('../features/run/runner', () => ({
  startRun: (request: RunRequest, handlers: RunHandlers) => {
    const stop = vi.fn(() => handlers.onExit({ status: 'stopped', exitCode: null, durationMs: 5, note: 'Stopped.\n' }));
    runs.push({ request, handlers, stop });
    return { stop };
  },
}));

afterEach(() => {
  runs.length = 0;
  localStorage.clear();
});

function fakeSession(doc: Y.Doc): RoomSession {
  const text = doc.getText('code');
  return {
    traits: {} as RoomSession['traits'],
    readOnly: false,
    markTyping: () => {},
    setLanguage: () => {},
    setRoomName: () => {},
    bindText: <R,>(binders: TextBinders<R>) => binders.crdt({ doc, text, awareness: null as never, readOnly: false, createUndoManager: () => null as never }),
    destroy: () => {},
  };
}

function setup(options: { canRun?: boolean; language?: 'python' | 'javascript' | 'go' } = {}) {
  const store = makeStore();
  const doc = new Y.Doc();
  doc.getText('code').insert(0, 'print("hi")\n');
  const session = fakeSession(doc);
  const wrapper = ({ children }: { children: ReactNode }) => <Provider store={store}>{children}</Provider>;
  const hook = renderHook(() => useRoomRun({ session, canRun: options.canRun ?? true, language: options.language ?? 'python', name: 'Alice', color: '#123456' }), { wrapper });
  return { store, doc, hook };
}

describe('useRoomRun', () => {
  it('Run: an entry for everyone at once, the runner gets the text and the limit, output and the result land in the entry', async () => {
    localStorage.setItem('pairpad.runLimitMs', '3000');
    const { store, hook } = setup();
    expect(store.getState().run.limitMs).toBe(3000);
    act(() => hook.result.current.start());
    expect(hook.result.current.entries).toEqual([expect.objectContaining({ by: 'Alice', color: '#123456', language: 'python', status: 'running', limitMs: 3000 })]);
    expect(store.getState().run.phase).toBe('preparing');
    await vi.waitFor(() => expect(runs).toHaveLength(1));
    expect(runs[0]!.request).toEqual({ language: 'python', code: 'print("hi")\n', limitMs: 3000 });

    act(() => runs[0]!.handlers.onStarted({ pythonLoadMs: 1500 }));
    expect(store.getState().run).toMatchObject({ phase: 'running', pythonLoadMs: 1500 });
    act(() => {
      runs[0]!.handlers.onOutput([{ s: 'out', t: 'hi\n' }]);
      runs[0]!.handlers.onExit({ status: 'ok', exitCode: 0, durationMs: 7 });
    });
    expect(hook.result.current.entries[0]).toMatchObject({ status: 'ok', exitCode: 0, durationMs: 7, output: [{ s: 'out', t: 'hi\n' }] });
    expect(store.getState().run.phase).toBe('idle');
  });

  it('one run at a time; Stop goes to the runner; Clear empties the console', async () => {
    const { hook } = setup();
    act(() => hook.result.current.start());
    act(() => hook.result.current.start());
    await vi.waitFor(() => expect(runs).toHaveLength(1));
    expect(hook.result.current.entries).toHaveLength(1);
    act(() => hook.result.current.stop());
    expect(runs[0]!.stop).toHaveBeenCalledTimes(1);
    expect(hook.result.current.entries[0]).toMatchObject({ status: 'stopped', output: [{ s: 'sys', t: 'Stopped.\n' }] });
    act(() => hook.result.current.clear());
    expect(hook.result.current.entries).toEqual([]);
  });

  it('Stop before the runner has loaded ends the entry without running anything', async () => {
    const { hook, store } = setup();
    act(() => {
      hook.result.current.start();
      hook.result.current.stop();
    });
    expect(hook.result.current.entries[0]).toMatchObject({ status: 'stopped' });
    expect(store.getState().run.phase).toBe('idle');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toHaveLength(0);
  });

  it('viewers and other languages never run (not by the shortcut either); the limit is remembered', () => {
    const viewer = setup({ canRun: false });
    act(() => viewer.hook.result.current.start());
    act(() => void window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true })));
    expect(viewer.hook.result.current.entries).toEqual([]);
    const go = setup({ language: 'go' });
    act(() => go.hook.result.current.start());
    expect(go.hook.result.current.entries).toEqual([]);

    act(() => go.hook.result.current.setLimit(4_400));
    expect(go.store.getState().run.limitMs).toBe(4_000);
    expect(localStorage.getItem('pairpad.runLimitMs')).toBe('4000');
  });

  it('Ctrl+Enter runs for an editor', async () => {
    const { hook } = setup({ language: 'javascript' });
    act(() => void window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true })));
    expect(hook.result.current.entries).toHaveLength(1);
    await vi.waitFor(() => expect(runs).toHaveLength(1));
    expect(runs[0]!.request.language).toBe('javascript');
  });
});
