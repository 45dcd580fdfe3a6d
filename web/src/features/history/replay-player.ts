import * as Y from 'yjs';
import { DOC_TEXT_KEY, type Replay, type ReplayStep } from '@pairpad/shared';

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Steps through a replay: position 0 is the `from` version, position n the text after n steps.
 * One Y.Doc is moved forward step by step; going back rebuilds it from the base (Yjs updates
 * only go forward). Lives outside Redux; `destroy()` frees the document.
 */
export class ReplayPlayer {
  private doc: Y.Doc;
  private applied = 0;
  private readonly base: Uint8Array;
  private readonly updates: (Uint8Array | null)[];

  constructor(private readonly replay: Replay) {
    this.base = fromBase64(replay.base);
    this.updates = replay.steps.map(() => null);
    this.doc = this.fresh();
  }

  /** The last position (the number of steps). */
  get end(): number {
    return this.replay.steps.length;
  }

  /** The step that led to `position` (null at 0). */
  stepAt(position: number): ReplayStep | null {
    return position <= 0 ? null : (this.replay.steps[Math.min(position, this.end) - 1] ?? null);
  }

  textAt(position: number): string {
    const target = Math.max(0, Math.min(position, this.end));
    if (target < this.applied) {
      this.doc.destroy();
      this.doc = this.fresh();
      this.applied = 0;
    }
    while (this.applied < target) {
      const index = this.applied;
      let update = this.updates[index];
      if (!update) {
        update = fromBase64(this.replay.steps[index]?.update ?? '');
        this.updates[index] = update;
      }
      if (update.length > 0) Y.applyUpdate(this.doc, update);
      this.applied++;
    }
    return this.doc.getText(DOC_TEXT_KEY).toString();
  }

  destroy(): void {
    this.doc.destroy();
  }

  private fresh(): Y.Doc {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, this.base);
    return doc;
  }
}
