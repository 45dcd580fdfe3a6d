/**
 * Texts of rooms that are not in memory, most recently used first, bounded by size. Decoding a
 * stored document costs tens of milliseconds per megabyte, and `GET /rooms/:id` of an idle room
 * needs only its text, so repeated reads decode it once. Only this process writes a room's
 * document while it is not loaded, so an entry stays right until the room loads again (the
 * registry drops it then) or is replaced at unload.
 */
export class StoredTextCache {
  private readonly texts = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(roomId: string): string | undefined {
    const text = this.texts.get(roomId);
    if (text === undefined) return undefined;
    // Map order is insertion order: re-inserting marks it most recently used.
    this.texts.delete(roomId);
    this.texts.set(roomId, text);
    return text;
  }

  set(roomId: string, text: string): void {
    this.delete(roomId);
    const size = text.length * 2;
    if (size > this.maxBytes) return;
    this.texts.set(roomId, text);
    this.bytes += size;
    for (const [oldest, oldText] of this.texts) {
      if (this.bytes <= this.maxBytes) break;
      this.texts.delete(oldest);
      this.bytes -= oldText.length * 2;
    }
  }

  delete(roomId: string): void {
    const text = this.texts.get(roomId);
    if (text === undefined) return;
    this.texts.delete(roomId);
    this.bytes -= text.length * 2;
  }
}
