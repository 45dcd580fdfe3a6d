/// <reference types="vite/client" />

// Side-effect-only Monaco entry points without their own typings.
declare module 'monaco-editor/esm/vs/editor/edcore.main.js';
declare module 'monaco-editor/esm/vs/basic-languages/*';
