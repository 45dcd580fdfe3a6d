/**
 * UTF-8 bytes of a string: what text costs in the server's document and in a run's output cap.
 * Counted, not encoded: a multi-megabyte paste, or one print per output batch, allocates nothing.
 * A surrogate without its pair counts as U+FFFD (3 bytes), as TextEncoder writes it.
 */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
