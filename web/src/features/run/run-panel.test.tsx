import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import type { RunEntry } from '@pairpad/shared';
import { RunPanel, describeRun, runBlockedReason, type RunPanelProps } from './run-panel';
import { initialRunState } from './run-slice';
import { bindRunShortcut } from './run-shortcut';

const entry = (over: Partial<RunEntry> = {}): RunEntry => ({
  id: 'r1',
  by: 'Alice',
  color: '#ff0000',
  language: 'python',
  startedAt: '2026-01-01T10:00:00.000Z',
  limitMs: 10_000,
  status: 'ok',
  exitCode: 0,
  durationMs: 12,
  bytes: 6,
  truncated: false,
  output: [{ s: 'out', t: 'hello\n' }],
  ...over,
});

function renderPanel(over: Partial<RunPanelProps> = {}) {
  const props: RunPanelProps = {
    language: 'python',
    role: 'editor',
    run: initialRunState,
    entries: [],
    localOnly: false,
    onRun: vi.fn(),
    onStop: vi.fn(),
    onClear: vi.fn(),
    onLimitChange: vi.fn(),
    ...over,
  };
  render(<RunPanel {...props} />);
  return props;
}

describe('RunPanel', () => {
  it('says in one line why Run is disabled: viewers, and languages a browser cannot run', () => {
    expect(runBlockedReason('python', 'editor')).toBeNull();
    expect(runBlockedReason('typescript', 'editor')).toBeNull();
    expect(runBlockedReason('javascript', 'viewer')).toMatch(/only editors can run/);
    expect(runBlockedReason('go', 'editor')).toMatch(/^go cannot run in the browser: Run works for JavaScript, TypeScript and Python\.$/);
    expect(runBlockedReason('plaintext', 'editor')).toMatch(/^Plain text cannot run/);
  });

  it('a viewer sees the output but Run is disabled with the reason, and there is no Clear', () => {
    renderPanel({ role: 'viewer', entries: [entry()] });
    const button = screen.getByTestId('run-button') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.title).toMatch(/only editors/);
    expect(screen.getByTestId('run-reason').textContent).toMatch(/only editors/);
    expect(screen.getByTestId('run-output').textContent).toBe('hello\n');
    expect(screen.queryByTestId('run-clear')).toBeNull();
  });

  it('Run calls onRun', () => {
    const props = renderPanel();
    fireEvent.click(screen.getByTestId('run-button'));
    expect(props.onRun).toHaveBeenCalledTimes(1);
  });

  it('shows Stop and the loading progress while Python loads', () => {
    const props = renderPanel({ run: { ...initialRunState, phase: 'preparing', runId: 'x', progress: { label: 'Downloading Python', loaded: 3 * 1024 * 1024, total: null } } });
    expect(screen.queryByTestId('run-button')).toBeNull();
    expect(screen.getByTestId('run-progress').textContent).toMatch(/Downloading Python… .*3\.0 MB/);
    fireEvent.click(screen.getByTestId('run-stop'));
    expect(props.onStop).toHaveBeenCalledTimes(1);
  });

  it('the limit field commits seconds on Enter and on blur', () => {
    const props = renderPanel();
    const input = screen.getByTestId('run-limit') as HTMLInputElement;
    expect(input.value).toBe('10');
    fireEvent.change(input, { target: { value: '3' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(props.onLimitChange).toHaveBeenLastCalledWith(3000);
    fireEvent.change(input, { target: { value: '' } });
    fireEvent.blur(input);
    expect(props.onLimitChange).toHaveBeenCalledTimes(1);
    expect(input.value).toBe('10');
  });

  it('each entry names who ran it, the language and the result; streams are told apart', () => {
    renderPanel({
      entries: [
        entry(),
        entry({ id: 'r2', by: 'Bobby', language: 'javascript', status: 'error', exitCode: 1, durationMs: 1500, output: [{ s: 'err', t: 'Uncaught ReferenceError: x is not defined (line 2:1)\n' }] }),
        entry({ id: 'r3', status: 'timeout', exitCode: null, durationMs: 2000, limitMs: 2000, output: [{ s: 'sys', t: 'Stopped.\n' }] }),
      ],
    });
    const entries = screen.getAllByTestId('run-entry');
    expect(entries.map((e) => e.getAttribute('data-status'))).toEqual(['ok', 'error', 'timeout']);
    expect(entries[0]!.textContent).toMatch(/Alice ran Python · .* · exit 0 · 12 ms/);
    expect(entries[1]!.textContent).toMatch(/Bobby ran JavaScript · .* · exit 1 · 1\.5 s/);
    expect(entries[1]!.querySelector('.run-err')?.textContent).toMatch(/line 2/);
    expect(entries[2]!.querySelector('.run-sys')).not.toBeNull();
    expect(describeRun(entry({ status: 'timeout', limitMs: 2000 }))).toBe('stopped at the 2.0 s limit');
    const started = Date.parse('2026-01-01T10:00:00.000Z');
    expect(describeRun(entry({ status: 'running' }), started + 5_000)).toBe('running…');
    expect(describeRun(entry({ status: 'running' }), started + 10_000 + 121_000)).toBe('interrupted: no result');
    expect(describeRun(entry({ status: 'stopped', durationMs: 400 }))).toBe('stopped · 400 ms');
  });
});

describe('Ctrl/Cmd+Enter', () => {
  it('runs wherever focus is and keeps the key from the editor; other keys pass', () => {
    const run = vi.fn();
    const shortcut = bindRunShortcut(window, run);
    const event = new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true, cancelable: true });
    document.body.dispatchEvent(event);
    expect(run).toHaveBeenCalledTimes(1);
    expect(event.defaultPrevented).toBe(true);
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', metaKey: true, bubbles: true }));
    expect(run).toHaveBeenCalledTimes(2);
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, shiftKey: true, bubbles: true }));
    expect(run).toHaveBeenCalledTimes(2);
    shortcut.dispose();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }));
    expect(run).toHaveBeenCalledTimes(2);
  });
});
