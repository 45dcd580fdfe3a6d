import { describe, expect, it, vi } from 'vitest';
import { renderHook } from '@testing-library/react';
import { fakeProviderFactory } from '../../testing/fake-provider';
import { CollabSession } from './collab-session';
import { useCollabSession, type CollabSessionParams } from './use-collab-session';

describe('useCollabSession', () => {
  it('creates one session when the room is known, relays events, and destroys it on unmount', () => {
    const factory = fakeProviderFactory();
    const onStatus = vi.fn();
    const callbacks = { onStatus, onSynced: vi.fn(), onFatal: vi.fn(), onPeers: vi.fn(), onMeta: vi.fn(), onOfflineEdit: vi.fn() };
    const base: CollabSessionParams = {
      id: null,
      role: 'editor',
      name: 'Ada',
      sessionId: 's1',
      color: '#ff0000',
      mode: 'yjs',
      createProvider: factory,
    };
    const { result, rerender, unmount } = renderHook((params: CollabSessionParams) => useCollabSession(params, callbacks), {
      initialProps: base,
    });
    expect(result.current).toBeNull();
    rerender({ ...base, id: 'room123456' });
    expect(result.current).toBeInstanceOf(CollabSession);
    expect(factory.made).toHaveLength(1);
    expect(factory.made[0]?.params).toEqual({ name: 'Ada', session: 's1', person: expect.any(String) });
    factory.made[0]?.open();
    expect(onStatus).toHaveBeenCalledWith('connected');
    rerender({ ...base, id: 'room123456' });
    expect(factory.made).toHaveLength(1); // same params, same session
    unmount();
    expect(factory.made[0]?.destroyed).toBe(true);
  });
});
