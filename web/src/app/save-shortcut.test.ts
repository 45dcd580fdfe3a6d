import { describe, expect, it, vi } from 'vitest';
import { bindSaveShortcut } from './save-shortcut';

function press(init: KeyboardEventInit): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { cancelable: true, bubbles: true, ...init });
  window.dispatchEvent(event);
  return event;
}

describe('bindSaveShortcut', () => {
  it('saves on Ctrl/Cmd+S (not on a held key) and always keeps the browser dialog shut', () => {
    const save = vi.fn();
    const binding = bindSaveShortcut(window, false, save);
    expect(press({ key: 's', ctrlKey: true }).defaultPrevented).toBe(true);
    expect(press({ key: 'S', metaKey: true }).defaultPrevented).toBe(true);
    press({ key: 's', ctrlKey: true, repeat: true });
    press({ key: 's', ctrlKey: true, altKey: true });
    press({ key: 's' });
    expect(save).toHaveBeenCalledTimes(2);
    binding.dispose();
    expect(press({ key: 's', ctrlKey: true }).defaultPrevented).toBe(false);
    expect(save).toHaveBeenCalledTimes(2);
  });

  it('never saves for a viewer', () => {
    const save = vi.fn();
    const binding = bindSaveShortcut(window, true, save);
    expect(press({ key: 's', ctrlKey: true }).defaultPrevented).toBe(true);
    expect(save).not.toHaveBeenCalled();
    binding.dispose();
  });
});
