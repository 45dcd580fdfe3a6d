import { describe, expect, it } from 'vitest';
import { parseRoomLink } from '@pairpad/shared';
import { readJoinLink, validateCreate, validateJoin } from './validation';

describe('validateCreate', () => {
  const good = { displayName: '  Ada ', roomName: '', language: 'python', limit: '5' };

  it('accepts a valid form and trims the name', () => {
    expect(validateCreate(good)).toEqual({ ok: true, value: { displayName: 'Ada', language: 'python', limit: 5 } });
  });

  it('rejects short names, bad capacity and unknown languages with messages', () => {
    const result = validateCreate({ displayName: 'Al', roomName: '', language: 'cobol', limit: '21' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.displayName).toMatch(/3-32/);
    expect(result.errors.limit).toMatch(/2 to 20/);
    expect(result.errors.language).toBeTruthy();
    expect(validateCreate({ ...good, limit: '2.5' }).ok).toBe(false);
    expect(validateCreate({ ...good, limit: '' }).ok).toBe(false);
    expect(validateCreate({ ...good, displayName: 'x'.repeat(33) }).ok).toBe(false);
    expect(validateCreate({ ...good, limit: '2' }).ok).toBe(true);
    expect(validateCreate({ ...good, limit: '20' }).ok).toBe(true);
  });
});

describe('joining by id or link', () => {
  it('parses ids, edit links and view links', () => {
    expect(parseRoomLink('abcDEF123_-')).toEqual({ kind: 'edit', id: 'abcDEF123_-' });
    expect(parseRoomLink('https://pairpad.dev/room/abcdef12?x=1')).toEqual({ kind: 'edit', id: 'abcdef12' });
    expect(parseRoomLink('http://localhost:5173/watch/VIEWid99#top')).toEqual({ kind: 'watch', id: 'VIEWid99' });
    expect(parseRoomLink('/room/ab')).toBeNull();
    expect(parseRoomLink('hello world')).toBeNull();
  });

  it('explains what is wrong before any request', () => {
    const result = validateJoin('Bo', 'not a link');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.displayName).toBeTruthy();
    expect(result.errors.link).toMatch(/not a room id/);
    expect(validateJoin('Bob', '')).toMatchObject({ ok: false, errors: { link: expect.stringMatching(/Paste/) } });
    expect(validateJoin('Bob', 'http://x/watch/abcdefgh', 'http://x')).toEqual({ ok: true, displayName: 'Bob', link: { kind: 'watch', id: 'abcdefgh' } });
  });

  it('accepts only this server’s own links and bare ids, and says what is wrong with the rest', () => {
    const origin = 'http://192.0.2.2:3000';
    expect(readJoinLink('abcdefgh', origin)).toEqual({ ok: true, link: { kind: 'edit', id: 'abcdefgh' } });
    expect(readJoinLink(' http://192.0.2.2:3000/room/abcdefgh?x=1#top ', origin)).toEqual({ ok: true, link: { kind: 'edit', id: 'abcdefgh' } });
    expect(readJoinLink('http://192.0.2.2:3000/watch/VIEWid99/', origin)).toEqual({ ok: true, link: { kind: 'watch', id: 'VIEWid99' } });
    expect(readJoinLink('/room/abcdefgh', origin)).toEqual({ ok: true, link: { kind: 'edit', id: 'abcdefgh' } });
    // Issue 14, defect 8: a foreign link used to open this server's room of the same id.
    const foreign = readJoinLink('https://example.com/room/abcdefgh', origin);
    expect(foreign).toEqual({ ok: false, message: expect.stringMatching(/example\.com, not this pairpad server \(192\.0\.2\.2:3000\)/) });
    expect(readJoinLink('https://192.0.2.2:3000/room/abcdefgh', origin).ok).toBe(false); // other scheme, other origin
    expect(readJoinLink('http://192.0.2.2:3001/room/abcdefgh', origin).ok).toBe(false); // other port
    expect(readJoinLink('http://192.0.2.2:3000/rooms/abcdefgh', origin)).toMatchObject({ ok: false, message: expect.stringMatching(/\/room\/<id>/) });
    expect(readJoinLink('http://192.0.2.2:3000/x/room/abcdefgh', origin).ok).toBe(false);
    expect(readJoinLink('http://192.0.2.2:3000/room/ab', origin)).toMatchObject({ ok: false, message: expect.stringMatching(/valid room id/) });
    expect(readJoinLink('example.com/room/abcdefgh', origin).ok).toBe(false);
    expect(readJoinLink('javascript:alert(1)//room/abcdefgh', origin).ok).toBe(false);
    expect(validateJoin('Bob', 'https://example.com/room/abcdefgh', origin)).toMatchObject({ ok: false, errors: { link: expect.stringMatching(/example\.com/) } });
  });
});
