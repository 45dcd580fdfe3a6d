import { MAX_DOCUMENT_BYTES_DEFAULT } from '@pairpad/shared';


/** UTF-8 bytes of a string: what the text costs in the server's document. */
export function utf8Bytes(text: string): number {
  // Counting beats encoding a multi-megabyte paste just to read its length.
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}


/**
 * Whether inserting `inserted` in place of `replacedBytes` bytes keeps a document of
 * `documentBytes` under the room's size limit. The server refuses an update past it (and the
 * connection with it), so the client refuses it first and keeps the session.
 */
export function editFits(documentBytes: number, inserted: string, replacedBytes = 0, limit = MAX_DOCUMENT_BYTES_DEFAULT): boolean {
  return documentBytes - replacedBytes + utf8Bytes(inserted) <= limit;
}

export function tooLargeMessage(limit = MAX_DOCUMENT_BYTES_DEFAULT): string {
  return `Not pasted: the room would grow past its ${(limit / (1024 * 1024)).toFixed(0)} MB limit. Paste a smaller part, or share large files another way.`;
}
