export * from './limits';
export * from './errors';
export * from './close-codes';
export * from './yjs-protocol';
export * from './api';
export * from './lww-protocol';
export * from './links';
export * from './colors';
