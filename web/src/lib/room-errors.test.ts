import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { describeRefusal, describeRoomError, errorCodeOf, isFatalClose } from './room-errors';

describe('describeRoomError', () => {
  it('turns close codes and API codes into friendly text', () => {
    expect(describeRoomError(4404).title).toBe('Room not found');
    expect(describeRoomError('room_not_found').title).toBe('Room not found');
    expect(describeRoomError(4409, { name: 'Ada' }).message).toContain('“Ada”');
    expect(describeRoomError(4429, { limit: 5 }).message).toContain('limit of 5');
    expect(describeRoomError(1008).title).toBe('Not allowed');
    expect(describeRoomError(1008, { reason: 'name must be 3-32 characters' }).message).toContain('name must be 3-32 characters');
    expect(describeRoomError('network_error').title).toBe('Server unreachable');
    expect(describeRoomError('weird').title).toBe('Something went wrong');
  });

  it('says which failures a retry can fix and which need another name', () => {
    const retryable = ['network_error', '1009', '4429', 'room_full', 'rate_limited', 'unknown', 'http_error', 'internal_error', 'db_unavailable'];
    for (const code of retryable) expect(describeRoomError(code).retryable).toBe(true);
    for (const code of ['4404', 'room_not_found', '4409', 'name_taken', '1008', 'forbidden', 'document_too_large', 'weird']) {
      expect(describeRoomError(code).retryable).toBe(false);
    }
    expect(describeRoomError(4409).nameTaken).toBe(true);
    expect(describeRoomError('name_taken').nameTaken).toBe(true);
    expect(describeRoomError(4429).nameTaken).toBe(false);
  });

  it('treats the server refusing a socket as final and anything else as a reason to reconnect', () => {
    expect([4404, 4409, 4429, 1008, 1009].map(isFatalClose)).toEqual([true, true, true, true, true]);
    expect([1000, 1001, 1006, 1011].map(isFatalClose)).toEqual([false, false, false, false]);
  });

  it('reads API errors and words refused changes', () => {
    expect(errorCodeOf(new ApiError(404, 'room_not_found', 'gone'))).toBe('room_not_found');
    expect(errorCodeOf(new Error('boom'))).toBe('unknown');
    const dbDown = new ApiError(503, 'db_unavailable', 'down');
    expect(describeRefusal('save', dbDown)).toEqual({ dbDown: true, message: expect.stringContaining('Save failed: the server’s database') });
    expect(describeRefusal('language', new ApiError(400, 'invalid_request', 'no'))).toEqual({
      dbDown: false,
      message: 'The server did not take the new language.',
    });
    expect(describeRefusal('limit', new ApiError(409, 'limit_below_online', '3 people are online')).message).toBe(
      'Capacity not changed: 3 people are online. Pick at least the number of people online.',
    );
    expect(describeRefusal('limit', new TypeError('fetch')).message).toBe('Capacity not changed: the server could not be reached.');
  });
});
