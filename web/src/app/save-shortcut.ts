/**
 * Ctrl/Cmd+S saves a version (editors; the page asks for an optional name) and never opens the browser's "save page" dialog, for
 * viewers either. Caught on the window in the capture phase, so it works wherever focus is.
 * Returns the remover.
 */
export function bindSaveShortcut(target: Window, readOnly: boolean, save: () => void): { dispose(): void } {
  const onKey = (event: KeyboardEvent): void => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== 's') return;
    event.preventDefault();
    if (!readOnly && !event.repeat) save();
  };
  target.addEventListener('keydown', onKey, true);
  return { dispose: () => target.removeEventListener('keydown', onKey, true) };
}
