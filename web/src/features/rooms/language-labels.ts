import type { Language } from '@pairpad/shared';

export const LANGUAGE_LABELS: Record<Language, string> = {
  plaintext: 'Plain text',
  javascript: 'JavaScript',
  typescript: 'TypeScript',
  python: 'Python',
  java: 'Java',
  go: 'Go',
  c: 'C',
  cpp: 'C++',
  rust: 'Rust',
  sql: 'SQL',
  json: 'JSON',
  markdown: 'Markdown',
  html: 'HTML',
  css: 'CSS',
};
