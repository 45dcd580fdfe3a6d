import { describeDocStoreContract } from './doc-store-contract';
import { MemoryDocStore } from './memory-doc-store';

describeDocStoreContract('MemoryDocStore', async () => {
  const store = new MemoryDocStore();
  return {
    store,
    createRoom: async (roomId, snapshot) => store.createRoom(roomId, { ...(snapshot && { snapshot }) }),
    roomRecord: async (roomId) => store.roomRecord(roomId),
    close: async () => {},
  };
});
