import { describe, expect, it } from 'vitest';
import { describeRoomError } from './room-errors';

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
});
