import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { FIXTURES_DIR } from '../src/devtools/fixtures.js';
import { UserError } from '../src/errors.js';
import { DiskFileSystem } from '../src/fs/disk.js';
import { MemoryFileSystem } from '../src/fs/memory.js';
import { newService } from '../src/pipeline/new.js';
import { isRE2 } from '../src/render/go/validation.js';
import { captureStreams } from './support/streams.js';

/**
 * Input svc cannot use, found by hand and by test/fuzz-loaders.test.ts: each
 * is refused in one located line with exit code 1, and nothing is written
 * (it was an internal error, a hang, or node's own error text).
 */

const BIN = join(import.meta.dirname, '..', 'bin', 'svc.js');
const HEAD = 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\n';
const PETSTORE = readFileSync(join(FIXTURES_DIR, 'petstore', 'openapi.yaml'), 'utf8');

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'svc-neg-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Runs `svc new` in memory on a contract in `cwd`; the error's one line, or 'generated'. */
async function outcome(cwd: string, contract: { openapi: string } | { proto: string }): Promise<{ line: string; writes: number; exitCode?: number }> {
  const fs = new MemoryFileSystem();
  try {
    await newService({ name: 'x', module: 'example.com/x', dir: '/virtual/x', fs, cwd, transports: ['http'], database: 'memory', ...contract });
    return { line: 'generated', writes: fs.writes };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return { line: err.format(), writes: fs.writes, exitCode: err.exitCode };
  }
}

async function refused(files: Record<string, string | Buffer>, contract: { openapi: string } | { proto: string }): Promise<string> {
  const r = await outcome(folder(files), contract);
  expect(r.writes).toBe(0);
  expect(r.exitCode).toBe(1);
  expect(r.line.split('\n')).toHaveLength(1);
  return r.line;
}

const BOMB = `${HEAD}x-a: &a ["l","l","l","l","l","l","l","l","l"]
x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
x-e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]
paths: {}
`;

describe('OpenAPI contracts svc cannot read', () => {
  it('a YAML alias bomb: at the first alias that expands into more aliases', async () => {
    expect(await refused({ 'api.yaml': BOMB }, { openapi: 'api.yaml' })).toBe(
      'api.yaml:5:10: YAML aliases expand too far (an "alias bomb": more than 1000 expansions, here through *b); write the repeated part out once, or refer to it with $ref',
    );
  });

  it('an alias before its anchor', async () => {
    expect(await refused({ 'api.yaml': `${HEAD}x-b: *later\nx-a: &later 1\npaths: {}\n` }, { openapi: 'api.yaml' })).toMatch(/^api\.yaml:3:6: /);
  });

  it('JSON nested 10000 levels deep: at the bracket past the limit', async () => {
    const deep = `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const at = deep.indexOf('[') + 200; // the root object is level 1, so the 200th bracket opens level 201
    expect(await refused({ 'api.json': deep }, { openapi: 'api.json' })).toBe(
      `api.json:1:${at}: nested more than 200 levels deep: no contract needs that many; flatten it with named schemas and $ref`,
    );
  });

  it('JSON objects nested 10000 levels deep', async () => {
    const deep = `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    expect(await refused({ 'api.json': deep }, { openapi: 'api.json' })).toMatch(/^api\.json:1:\d+: nested more than 200 levels deep/);
  });

  it('YAML nested 10000 levels deep', async () => {
    expect(await refused({ 'api.yaml': `${HEAD}paths: {}\nx: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n` }, { openapi: 'api.yaml' })).toMatch(/^api\.yaml:4:\d+: .*nested too deeply/);
  });

  it('YAML nested 201 block levels deep: at the key whose value is past the limit', async () => {
    const lines = Array.from({ length: 201 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`);
    expect(await refused({ 'api.yaml': `${HEAD}paths: {}\nx:\n${lines.join('\n')} 1\n` }, { openapi: 'api.yaml' })).toMatch(/^api\.yaml:203:\d+: nested more than 200 levels deep/);
  });

  it('an empty file, and one of blanks', async () => {
    expect(await refused({ 'api.yaml': '' }, { openapi: 'api.yaml' })).toBe('api.yaml:1: the file is empty');
    expect(await refused({ 'api.yaml': '\n  \n' }, { openapi: 'api.yaml' })).toBe('api.yaml:1: the file is empty');
  });

  it('a binary file: at its first NUL byte', async () => {
    expect(await refused({ 'api.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]) }, { openapi: 'api.yaml' })).toBe(
      'api.yaml:3:1: not a text file: it holds a NUL byte (is it a binary file?)',
    );
  });

  it('a contract with a byte-order mark generates', async () => {
    const r = await outcome(folder({ 'api.yaml': `\uFEFF${PETSTORE}` }), { openapi: 'api.yaml' });
    expect(r.line).toBe('generated');
  });

  it('a version that is a number', async () => {
    expect(await refused({ 'api.yaml': 'openapi: 3.0\ninfo: {title: t, version: "1"}\npaths: {}\n' }, { openapi: 'api.yaml' })).toBe(
      'api.yaml:1:1 (#/openapi): the "openapi" version must be a string such as "3.0.3" (quote it), not the number 3',
    );
    expect(await refused({ 'api.yaml': 'swagger: 2\ninfo: {title: t, version: "1"}\npaths: {}\n' }, { openapi: 'api.yaml' })).toMatch(/^api\.yaml:1:1 \(#\/swagger\): unsupported Swagger version 2: svc reads "2\.0"/);
  });

  it('a folder as the contract', async () => {
    expect(await refused({ 'api.yaml/x': '' }, { openapi: 'api.yaml' })).toBe('contract file is a folder, not a file: api.yaml');
  });
});

const withRef = (ref: string) => `${HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '${ref}'\n`;
const AT_REF = 'api.yaml:12:17 (#/paths/~1a/get/responses/200/content/application~1json/schema/$ref)';

describe('external $refs svc cannot follow: told at the $ref', () => {
  it('a missing file', async () => {
    expect(await refused({ 'api.yaml': withRef('./missing.yaml#/Thing') }, { openapi: 'api.yaml' })).toBe(`${AT_REF}: $ref "./missing.yaml#/Thing": referenced file not found: missing.yaml`);
  });

  it('a folder', async () => {
    expect(await refused({ 'api.yaml': withRef('./shared'), 'shared/x.yaml': 'a: 1\n' }, { openapi: 'api.yaml' })).toBe(`${AT_REF}: $ref "./shared": referenced file is a folder, not a file: shared`);
  });

  it('a pointer the file lacks', async () => {
    expect(await refused({ 'api.yaml': withRef('./s.yaml#/Nope'), 's.yaml': 'Thing: {type: string}\n' }, { openapi: 'api.yaml' })).toBe(`${AT_REF}: broken $ref "./s.yaml#/Nope": s.yaml has no #/Nope`);
  });

  it('a missing file referenced from a referenced file: in that file', async () => {
    const r = await refused({ 'api.yaml': withRef('./s.yaml#/Thing'), 's.yaml': 'Thing:\n  type: object\n  properties:\n    a: {$ref: "./gone.yaml"}\n' }, { openapi: 'api.yaml' });
    expect(r).toBe('s.yaml:4:9 (#/Thing/properties/a/$ref): $ref "./gone.yaml": referenced file not found: gone.yaml');
  });

  it('a referenced file that does not parse: in that file', async () => {
    expect(await refused({ 'api.yaml': withRef('./s.yaml#/Thing'), 's.yaml': 'Thing: [\n' }, { openapi: 'api.yaml' })).toMatch(/^s\.yaml:2:1: invalid YAML\/JSON: /);
  });

  it('an alias bomb in a referenced file: in that file', async () => {
    expect(await refused({ 'api.yaml': withRef('./s.yaml#/Thing'), 's.yaml': `Thing: {type: string}\n${BOMB.slice(HEAD.length)}` }, { openapi: 'api.yaml' })).toMatch(/^s\.yaml:4:10: YAML aliases expand too far/);
  });

  it('a cycle of $refs through two files', async () => {
    const r = await refused({ 'api.yaml': withRef('./a.yaml#/A'), 'a.yaml': 'A:\n  $ref: "./b.yaml#/B"\n', 'b.yaml': 'B:\n  $ref: "./a.yaml#/A"\n' }, { openapi: 'api.yaml' });
    expect(r).toMatch(/^api\.yaml:12:17 .*\$ref cycle/);
  });

  it('referenced files that resolve are copied beside the contract', async () => {
    const fs = new MemoryFileSystem();
    const cwd = folder({ 'api.yaml': withRef('./schemas/s.yaml#/Thing'), 'schemas/s.yaml': 'Thing:\n  type: object\n  properties:\n    o: {$ref: "./o.yaml#/O"}\n', 'schemas/o.yaml': 'O: {type: string}\n' });
    await newService({ name: 'x', module: 'example.com/x', dir: '/virtual/x', fs, cwd, openapi: 'api.yaml', transports: ['http'], database: 'memory' });
    expect(fs.files.get('xproto/openapi/schemas/s.yaml')).toContain('./o.yaml#/O');
    expect(fs.files.get('xproto/openapi/schemas/o.yaml')).toBe('O: {type: string}\n');
  });

  it('the contract is copied byte for byte, bytes that are not UTF-8 included, and its hash recorded', async () => {
    // A Latin-1 é in a description: as text it would be U+FFFD, three other bytes.
    const bytes = Buffer.concat([Buffer.from(withRef('#/components/schemas/Thing')), Buffer.from('components:\n  schemas:\n    Thing:\n      type: string\n      description: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const cwd = folder({ 'api.yaml': bytes });
    const dir = join(cwd, 'out', 'x');
    await newService({ name: 'x', module: 'example.com/x', dir, fs: new DiskFileSystem(dir, { staged: true }), cwd, openapi: 'api.yaml', transports: ['http'], database: 'memory' });
    const copy = join(dir, 'xproto', 'openapi', 'api.yaml');
    expect(readFileSync(copy).equals(bytes)).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, '.svc', 'manifest.json'), 'utf8')) as { created: Record<string, { hash: string }> };
    expect(manifest.created['xproto/openapi/api.yaml']?.hash).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
  });
});

const proto = (pkg: string, imports: string[], body: string) => `syntax = "proto3";\npackage ${pkg};\n${imports.map((i) => `import "${i}";\n`).join('')}${body}`;
const SERVICE = 'message A { string x = 1; }\nservice S { rpc Get(A) returns (A); }\n';

describe('proto contracts svc cannot read', () => {
  it('an import cycle: at the import that closes it', async () => {
    const files = { 'a.proto': proto('a', ['b.proto'], SERVICE), 'b.proto': proto('a', ['a.proto'], 'message B { string x = 1; }\n') };
    expect(await refused(files, { proto: 'a.proto' })).toBe('b.proto:3:8: import cycle: a.proto -> b.proto -> a.proto (a file may not import itself, directly or through others)');
  });

  it('a file importing itself', async () => {
    expect(await refused({ 'a.proto': proto('a', ['a.proto'], SERVICE) }, { proto: 'a.proto' })).toBe('a.proto:3:8: import cycle: a.proto -> a.proto (a file may not import itself, directly or through others)');
  });

  it('a field number protobuf keeps for itself, or out of range: at the field', async () => {
    expect(await refused({ 'a.proto': proto('a', [], `${SERVICE}message H {\n  string s = 19000;\n}\n`) }, { proto: 'a.proto' })).toBe(
      'a.proto:6:10: "s" in message a.H: field number 19000 is in 19000-19999, which protobuf keeps for itself: use another',
    );
    expect(await refused({ 'a.proto': proto('a', [], `${SERVICE}message H {\n  string s = 536870912;\n}\n`) }, { proto: 'a.proto' })).toMatch(/^a\.proto:6:\d+: .*(out of range|536870912)/);
  });

  it('a folder as the contract', async () => {
    expect(await refused({ 'a.proto/x': '' }, { proto: 'a.proto' })).toBe('contract file is a folder, not a file: a.proto');
  });
});

/** Runs the CLI in-process on the real disk. */
async function cli(args: string[], cwd: string) {
  const io = captureStreams();
  const code = await main(args, { cwd, stdout: io.stdout, stderr: io.stderr, interactive: false });
  return { code, ...io.text };
}

describe('service folders svc cannot use: one line, exit 1, nothing written', () => {
  it.skipIf(!existsSync('/proc/self'))('--dir under /proc (node\'s recursive mkdir never returns there)', async () => {
    // A child process with a kill timer: a regression hangs in a synchronous loop no test timeout can stop.
    const r = spawnSync(process.execPath, [BIN, 'new', 'x', '--dir', '/proc/x/y', '--yes', '--skip-tidy'], { cwd: tmpdir(), encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error: cannot write the service to /proc/x/y: /proc does not accept new folders\n');
  });

  it('--dir naming a file, or a path through a file', async () => {
    const cwd = folder({ notes: 'mine' });
    for (const [args, line] of [
      [['new', 'x', '--dir', 'notes'], `error: ${cwd}/notes is a file, not a folder`],
      [['new', 'x', '--dir', 'notes/sub/deeper'], `error: cannot use the folder ${cwd}/notes/sub/deeper: ${cwd}/notes is a file, not a folder`],
      [['gen', 'api', '--dir', 'notes'], `error: ${cwd}/notes is a file, not a folder`],
      [['gen', 'api', '--dir', 'notes/sub'], `error: cannot use the folder ${cwd}/notes/sub: ${cwd}/notes is a file, not a folder`],
    ] as const) {
      const r = await cli([...args, '--yes', ...(args[0] === 'new' ? ['--skip-tidy'] : [])], cwd);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`${line}\n`);
    }
    expect(readdirSync(cwd)).toEqual(['notes']);
    expect(readFileSync(join(cwd, 'notes'), 'utf8')).toBe('mine');
  });

  it.skipIf(process.getuid?.() === 0)('--dir where folders cannot be made (skipped as root, who may make them anywhere)', async () => {
    const r = await cli(['new', 'x', '--dir', '/nonexistent-svc-test/deeper', '--yes', '--skip-tidy'], tmpdir());
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: cannot write the service to /nonexistent-svc-test/deeper: permission denied in /\n');
  });
});

describe('found by the loader fuzz test', () => {
  it('a proto field number too large to print back as written: at the field, as written', async () => {
    expect(await refused({ 'a.proto': proto('a', [], `${SERVICE}message H {\n  string s = 99999999999999999999999;\n}\n`) }, { proto: 'a.proto' })).toBe(
      'a.proto:6:10: "s" in message a.H: field number 99999999999999999999999 is out of range: use 1 to 536870911',
    );
  });

  it('proto messages nested past protobuf\'s limit: at the brace past it', async () => {
    const deep = `${'message N {\n'.repeat(40)}${'}\n'.repeat(40)}`;
    expect(await refused({ 'a.proto': proto('a', [], `${SERVICE}${deep}`) }, { proto: 'a.proto' })).toBe(
      'a.proto:37:11: syntax error: Nested too deeply: protobuf allows 32 levels of nested messages and option values.',
    );
  });

  it('a Swagger 2.0 $ref to the document root\'s empty key: at the $ref', async () => {
    const swagger = "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      parameters:\n        - $ref: '#/'\n      responses:\n        '200': {description: ok}\n";
    expect(await refused({ 'api.yaml': swagger }, { openapi: 'api.yaml' })).toBe('api.yaml:7:11 (#/paths/~1a~1{id}/get/parameters/0/$ref): broken $ref "#/": no such target');
  });
});

const hasProtoc = (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, 'protoc')));

describe.skipIf(!hasProtoc)('proto contracts protobufjs accepts and protoc refuses: protoc\'s first error, located, before generation', () => {
  it('a proto3 enum whose first value is not zero', async () => {
    expect(await refused({ 'a.proto': proto('a', [], `${SERVICE}enum E {\n  E_ONE = 1;\n}\n`) }, { proto: 'a.proto' })).toBe('a.proto:6:11: The first enum value must be zero in proto3.');
  });

  it('byte-order marks after the first', async () => {
    expect(await refused({ 'a.proto': `\uFEFF\uFEFF${proto('a', [], SERVICE)}` }, { proto: 'a.proto' })).toMatch(/^a\.proto:1:\d+: [^\n]+$/);
  });
});

describe('numbers a contract cannot hold (they reached the generated Go as Infinity)', () => {
  const thing = (n: string) =>
    `${HEAD}paths:\n  /t:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema:\n              type: number\n              maximum: ${n}\n      responses:\n        '204': {description: ok}\n`;
  it('a number too large for a float, in YAML and in JSON: at its key', async () => {
    const line = 'api.yaml:11:15 (#/paths/~1t/post/requestBody/content/application~1json/schema/maximum): a number too large for a 64-bit float (it would be infinite): write at most 1.7976931348623157e308';
    expect(await refused({ 'api.yaml': thing('1e999') }, { openapi: 'api.yaml' })).toBe(line);
    expect(await refused({ 'api.yaml': thing(`1${'0'.repeat(400)}`) }, { openapi: 'api.yaml' })).toBe(line);
    expect(await refused({ 'api.json': '{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"x-n":\n  -1e400}' }, { openapi: 'api.json' })).toMatch(/^api\.json:1:\d+ \(#\/x-n\): a number too large for a 64-bit float \(it would be -infinite\)/);
  });

  it('.nan', async () => {
    expect(await refused({ 'api.yaml': thing('.nan') }, { openapi: 'api.yaml' })).toMatch(/^api\.yaml:11:15 .*: not a number \(\.nan\)/);
  });
});

describe('a pattern Go cannot compile (found by the loader fuzz test: making its example never ended)', () => {
  it('a repeat count above Go\'s limit of 1000 generates, without that pattern check (as for lookarounds)', async () => {
    const schema = (pattern: string) =>
      `${HEAD}paths:\n  /t:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema:\n              type: string\n              pattern: '${pattern}'\n      responses:\n        '204': {description: ok}\n`;
    // Adyen's TerminalAPI writes .{1,262144}: a real contract, not refused.
    for (const pattern of [`^[0-9]{1${'0'.repeat(400)}}$`, '^a{2,1001}$', '^.{1,262144}$', '^a{2,1000}\\{5000}$']) {
      expect((await outcome(folder({ 'api.yaml': schema(pattern) }), { openapi: 'api.yaml' })).line, pattern).toBe('generated');
    }
    expect(isRE2('^a{2,1000}$')).toBe(true);
    expect(isRE2('^a{2,1001}$')).toBe(false);
    expect(isRE2('^a{2,1000}\\{5000}$')).toBe(true);
  });
});
