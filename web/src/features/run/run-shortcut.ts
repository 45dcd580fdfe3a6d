/**
 * Ctrl/Cmd+Enter runs the room's code wherever focus is (also in the editor, where Monaco
 * would otherwise insert a line): caught on the window in the capture phase. Returns the remover.
 */
export function bindRunShortcut(target: Window, run: () => void): { dispose(): void } {
  const onKey = (event: KeyboardEvent): void => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.key !== 'Enter') return;
    event.preventDefault();
    event.stopPropagation();
    if (!event.repeat) run();
  };
  target.addEventListener('keydown', onKey, true);
  return { dispose: () => target.removeEventListener('keydown', onKey, true) };
}
