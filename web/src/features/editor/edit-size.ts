import { MAX_DOCUMENT_BYTES_DEFAULT } from '@pairpad/shared';
import { utf8Bytes } from '../../lib/utf8';

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
