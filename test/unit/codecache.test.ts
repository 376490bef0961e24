import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openCodeCache, codeKey, latin1Only, type Expression } from '../../src/codecache.js';

const dirs: string[] = [];
/** A cache's base path (without extension) in a folder that does not exist yet. */
function tempBase(): string {
  const dir = mkdtempSync(join(tmpdir(), 'svc-codecache-'));
  dirs.push(dir);
  return join(dir, 'sub', 'templates');
}
afterEach(() => {
  vi.unstubAllEnvs();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const literal: Expression = (source) => source;
/** A compile step that records that it ran. */
function compiler(source: string): { compile: () => string; calls: () => number } {
  let n = 0;
  return { compile: () => (n++, source), calls: () => n };
}

describe('code cache', () => {
  it('keys a template by its text, the Handlebars version and the options', () => {
    const k = codeKey('{{a}}', '4.7.8', { strict: true });
    expect(codeKey('{{a}}', '4.7.8', { strict: true })).toBe(k);
    expect(codeKey('{{b}}', '4.7.8', { strict: true })).not.toBe(k);
    expect(codeKey('{{a}}', '4.7.9', { strict: true })).not.toBe(k);
    expect(codeKey('{{a}}', '4.7.8', { strict: false })).not.toBe(k);
  });

  it('keeps what it learnt for the next run, and only for the same key', () => {
    const base = tempBase();
    // Backquotes, `${` and a new line survive the trip through both files.
    const source = '{"main":function(x){return "a\\n`${" + x + "}`";}}';
    const first = openCodeCache(base, literal);
    const c1 = compiler(source);
    const v1 = first.load('service/a.hbs', 'k1', c1.compile) as { main: (x: string) => string };
    expect(c1.calls()).toBe(1);
    expect(v1.main('b')).toBe('a\n`${b}`');
    first.flush();

    const second = openCodeCache(base, literal);
    const c2 = compiler('{"main":function(){return "stale";}}');
    const v2 = second.load('service/a.hbs', 'k1', c2.compile) as { main: (x: string) => string };
    expect(c2.calls()).toBe(0);
    expect(v2.main('c')).toBe('a\n`${c}`');
    // An edited template (another key) misses: it is compiled again, never served old.
    const c3 = compiler('{"main":function(){return "new";}}');
    expect((second.load('service/a.hbs', 'k2', c3.compile) as { main: () => string }).main()).toBe('new');
    expect(c3.calls()).toBe(1);
    const c4 = compiler('{"main":function(){return "b";}}');
    second.load('service/b.hbs', 'k1', c4.compile);
    expect(c4.calls()).toBe(1);
  });

  it('turns a module body into a function of require, module and exports', () => {
    const base = tempBase();
    const body: Expression = (source) => `function (require, module, exports) {\n${source}\n}`;
    const source = '"use strict";\nmodule.exports = (x) => require("twice")(x);';
    for (const round of [1, 2]) {
      const cache = openCodeCache(base, body);
      const c = compiler(source);
      const run = cache.load('v3', 'k', c.compile) as (r: (id: string) => unknown, m: { exports: unknown }, e: unknown) => void;
      expect(c.calls()).toBe(round === 1 ? 1 : 0);
      const m = { exports: {} as unknown };
      run(() => (x: number) => 2 * x, m, m.exports);
      expect((m.exports as (x: number) => number)(21)).toBe(42);
      cache.flush();
    }
  });

  it('merges a run\'s new entries into those it had', () => {
    const base = tempBase();
    const first = openCodeCache(base, literal);
    first.load('a', 'k1', () => '"A"');
    first.flush();
    const second = openCodeCache(base, literal);
    second.load('b', 'k2', () => '"B"');
    second.load('a', 'k3', () => '"A2"');
    second.flush();
    const third = openCodeCache(base, literal);
    const never = () => {
      throw new Error('compiled again');
    };
    expect(third.load('a', 'k3', never)).toBe('A2');
    expect(third.load('b', 'k2', never)).toBe('B');
    expect(third.load('a', 'k1', () => '"A1"')).toBe('A1');
  });

  it('writes nothing when it learnt nothing', () => {
    const base = tempBase();
    openCodeCache(base, literal).flush();
    expect(existsSync(`${base}.cjs`)).toBe(false);
    expect(existsSync(`${base}.json`)).toBe(false);
  });

  it('starts afresh from files it cannot load, and replaces them', () => {
    const base = tempBase();
    const first = openCodeCache(base, literal);
    first.load('a', 'k', () => '"A"');
    first.flush();
    writeFileSync(`${base}.cjs`, 'this is not JavaScript {');
    writeFileSync(`${base}.json`, 'this is not JSON {');
    const fresh = openCodeCache(base, literal);
    const c = compiler('"A"');
    expect(fresh.load('a', 'k', c.compile)).toBe('A');
    expect(c.calls()).toBe(1);
    fresh.flush();
    const again = compiler('"A"');
    expect(openCodeCache(base, literal).load('a', 'k', again.compile)).toBe('A');
    expect(again.calls()).toBe(0);
  });

  it('never throws when the cache cannot be written', () => {
    const base = tempBase();
    writeFileSync(join(base, '..', '..', 'blocker'), 'a file, not a folder');
    const c = openCodeCache(join(base, '..', '..', 'blocker', 'templates'), literal);
    c.load('a', 'k', () => '"A"');
    expect(() => c.flush()).not.toThrow();
  });

  it('is off with SVC_CODE_CACHE=off', () => {
    const base = tempBase();
    const on = openCodeCache(base, literal);
    on.load('a', 'k', () => '"A"');
    on.flush();
    vi.stubEnv('SVC_CODE_CACHE', 'off');
    const off = openCodeCache(base, literal);
    const c = compiler('"fresh"');
    expect(off.load('a', 'k', c.compile)).toBe('fresh');
    expect(c.calls()).toBe(1);
    const other = openCodeCache(`${base}-other`, literal);
    other.load('a', 'k', () => '"A"');
    other.flush();
    expect(existsSync(`${base}-other.cjs`)).toBe(false);
  });
});

describe('latin1Only', () => {
  it('escapes every character beyond Latin-1 so that the code means the same', () => {
    const cases = [
      '"café … 😀"',
      "'\\…'", // an identity escape: the backslash goes
      "'\\\\…'", // an escaped backslash, then the character
      "'\\\\\\…'",
      '/μs|µs/u.test("μs") && !/^μ$/.test("µ")',
      '`x→y`',
      '// a → b\n1',
      'const π = 3; π',
    ];
    for (const code of cases) {
      const escaped = latin1Only(code);
      expect(escaped, code).not.toMatch(/[^\x00-\xff]/);
      expect((0, eval)(escaped), code).toEqual((0, eval)(code));
    }
  });
});
