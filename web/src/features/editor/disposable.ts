/** Something that undoes what set it up (Monaco's IDisposable has the same shape). */
export interface Disposable {
  dispose(): void;
}

export function toDisposable(dispose: () => void): Disposable {
  return { dispose };
}

/** Collects disposables and disposes them once, last added first (teardown mirrors setup). */
export interface DisposableScope extends Disposable {
  add<T extends Disposable>(disposable: T): T;
}

export function createScope(): DisposableScope {
  let items: Disposable[] | null = [];
  return {
    add(disposable) {
      if (items) items.push(disposable);
      else disposable.dispose();
      return disposable;
    },
    dispose() {
      const list = items;
      items = null;
      for (const item of (list ?? []).reverse()) item.dispose();
    },
  };
}
