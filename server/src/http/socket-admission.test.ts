import { CloseCode } from '@pairpad/shared';
import { describe, expect, it } from 'vitest';
import { AddressCounter, checkSocketRequest, type UpgradeRequest } from './socket-admission';

const config = { maxSocketsPerIp: 2, rateLimitAllow: ['127.0.0.1'], allowedOrigins: ['https://allowed.example'] as readonly string[] };
const request = (query: Record<string, string>, overrides: Partial<UpgradeRequest> = {}): UpgradeRequest => ({
  ip: '192.0.2.7',
  headers: { host: 'pairpad.example' },
  query,
  ...overrides,
});

describe('checkSocketRequest', () => {
  it('reads the name, role, session and person a socket presents; ids of the wrong form are ignored', () => {
    expect(checkSocketRequest(request({ name: '  Ada L. ', role: 'viewer', session: 'tab_1', person: 'p-9' }), 1, config)).toEqual({
      ok: true,
      request: { name: 'Ada L.', requestedRole: 'viewer', sessionId: 'tab_1', personId: 'p-9' },
    });
    expect(checkSocketRequest(request({ name: 'Ada', role: 'editor', session: 'a b', person: 'x'.repeat(65) }), 1, config)).toEqual({
      ok: true,
      request: { name: 'Ada', requestedRole: undefined, sessionId: null, personId: null },
    });
  });

  it('refuses a bad name (1008 invalid_request), a foreign origin (1008 forbidden), too many sockets from one address (4429 rate_limited)', () => {
    expect(checkSocketRequest(request({ name: 'A' }), 1, config)).toMatchObject({ ok: false, refusal: { closeCode: CloseCode.Policy, errorCode: 'invalid_request' } });
    expect(checkSocketRequest(request({}), 1, config)).toMatchObject({ ok: false, refusal: { closeCode: CloseCode.Policy, errorCode: 'invalid_request' } });
    const foreign = request({ name: 'Ada' }, { headers: { host: 'pairpad.example', origin: 'https://evil.example' } });
    expect(checkSocketRequest(foreign, 1, config)).toMatchObject({ ok: false, refusal: { closeCode: CloseCode.Policy, errorCode: 'forbidden' } });
    const allowed = request({ name: 'Ada' }, { headers: { host: 'pairpad.example', origin: 'https://allowed.example' } });
    expect(checkSocketRequest(allowed, 1, config).ok).toBe(true);
    expect(checkSocketRequest(request({ name: 'Ada' }), 3, config)).toMatchObject({
      ok: false,
      refusal: { closeCode: CloseCode.RoomFullOrRateLimited, errorCode: 'rate_limited' },
    });
    // The operator's own address is exempt.
    expect(checkSocketRequest(request({ name: 'Ada' }, { ip: '127.0.0.1' }), 3, config).ok).toBe(true);
  });
});

describe('AddressCounter', () => {
  it('counts open sockets per address, each released once however often it is released', () => {
    const counter = new AddressCounter();
    const first = counter.add('192.0.2.7');
    const second = counter.add('192.0.2.7');
    expect([first.open, second.open, counter.add('192.0.2.8').open]).toEqual([1, 2, 1]);
    first.release();
    first.release();
    expect(counter.add('192.0.2.7').open).toBe(2);
  });
});
