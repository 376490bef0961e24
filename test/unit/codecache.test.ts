import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openCodeCache, codeKey } from '../../src/codecache.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'svc-codecache-'));
  dirs.push(dir);
  return join(dir, 'sub', 'templates.json');
}
afterEach(() => {
  vi.unstubAllEnvs();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('code cache', () => {
  it('keys a template by its text, the Handlebars version and the options', () => {
    const k = codeKey('{{a}}', '4.7.8', { strict: true });
    expect(codeKey('{{a}}', '4.7.8', { strict: true })).toBe(k);
    expect(codeKey('{{b}}', '4.7.8', { strict: true })).not.toBe(k);
    expect(codeKey('{{a}}', '4.7.9', { strict: true })).not.toBe(k);
    expect(codeKey('{{a}}', '4.7.8', { strict: false })).not.toBe(k);
  });

  it('keeps what it learnt for the next run, and only for the same key', () => {
    const file = tempFile();
    const first = openCodeCache(file);
    expect(first.get('service/a.hbs', 'k1')).toBeUndefined();
    first.set('service/a.hbs', 'k1', '{"main":function(){return "a\\n`${x}`";}}');
    first.flush();

    const second = openCodeCache(file);
    expect(second.get('service/a.hbs', 'k1')).toBe('{"main":function(){return "a\\n`${x}`";}}');
    // An edited template (another key) misses: it is compiled again, never served old.
    expect(second.get('service/a.hbs', 'k2')).toBeUndefined();
    expect(second.get('service/b.hbs', 'k1')).toBeUndefined();
  });

  it('merges a run\'s new templates into those it loaded', () => {
    const file = tempFile();
    const first = openCodeCache(file);
    first.set('a', 'k1', 'A');
    first.flush();
    const second = openCodeCache(file);
    second.set('b', 'k2', 'B');
    second.set('a', 'k3', 'A2');
    second.flush();
    const third = openCodeCache(file);
    expect(third.get('a', 'k3')).toBe('A2');
    expect(third.get('a', 'k1')).toBeUndefined();
    expect(third.get('b', 'k2')).toBe('B');
  });

  it('writes nothing when it learnt nothing', () => {
    const file = tempFile();
    openCodeCache(file).flush();
    expect(() => readFileSync(file)).toThrow();
  });

  it('starts afresh from a file it cannot read, and replaces it', () => {
    const file = tempFile();
    const first = openCodeCache(file);
    first.set('a', 'k', 'A');
    first.flush();
    writeFileSync(file, 'this is not JSON {');
    const fresh = openCodeCache(file);
    expect(fresh.get('a', 'k')).toBeUndefined();
    fresh.set('a', 'k', 'A');
    fresh.flush();
    expect(openCodeCache(file).get('a', 'k')).toBe('A');
  });

  it('never throws when the cache cannot be written', () => {
    const file = tempFile();
    writeFileSync(join(file, '..', '..', 'blocker'), 'a file, not a folder');
    const c = openCodeCache(join(file, '..', '..', 'blocker', 'templates.json'));
    c.set('a', 'k', 'A');
    expect(() => c.flush()).not.toThrow();
  });

  it('is off with SVC_CODE_CACHE=off', () => {
    const file = tempFile();
    const on = openCodeCache(file);
    on.set('a', 'k', 'A');
    on.flush();
    vi.stubEnv('SVC_CODE_CACHE', 'off');
    const off = openCodeCache(file.replace('templates.json', 'other.json'));
    off.set('a', 'k', 'A');
    off.flush();
    expect(off.get('a', 'k')).toBeUndefined();
    expect(() => readFileSync(file.replace('templates.json', 'other.json'))).toThrow();
  });
});
