import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIXTURES_DIR } from '../src/devtools/fixtures.js';
import { UserError } from '../src/errors.js';
import { MemoryFileSystem } from '../src/fs/memory.js';
import { newService } from '../src/pipeline/new.js';
import { findTools } from '../src/tools/protoc.js';

const INVALID = join(FIXTURES_DIR, 'invalid-proto');
const BIN = join(import.meta.dirname, '..', 'bin', 'svc.js');
const tools = await findTools();
const hasProtoc = !tools.protoc.missing;
const canGenerate = hasProtoc && !tools['protoc-gen-go'].missing && !tools['protoc-gen-go-grpc'].missing;

async function failure(dir: string, includes?: string[]): Promise<{ error: unknown; fs: MemoryFileSystem }> {
  const fs = new MemoryFileSystem();
  const error = await newService({
    name: 'x',
    module: 'example.com/x',
    dir: '/virtual/x',
    fs,
    proto: 'contract.proto',
    ...(includes ? { includes } : {}),
    transports: ['http', 'grpc'],
    database: 'memory',
    cwd: dir,
  }).then(
    () => undefined,
    (err: unknown) => err,
  );
  return { error, fs };
}

function expected(dir: string, withoutProtoc: boolean): string {
  const fallback = join(dir, 'expected-error-without-protoc.txt');
  const file = withoutProtoc && existsSync(fallback) ? fallback : join(dir, 'expected-error.txt');
  return readFileSync(file, 'utf8').trim();
}

afterEach(() => {
  vi.unstubAllEnvs();
});

/**
 * Negative proto fixtures: each folder of fixtures/invalid-proto holds a broken
 * contract (contract.proto, and the files it imports) and the one-line error
 * it must produce, file:line:column first. Syntax errors are worded by protoc
 * when it is installed (expected-error.txt) and from protobufjs's error when
 * it is not (expected-error-without-protoc.txt, when the wording differs).
 * Nothing may be written either way.
 */
describe.each(readdirSync(INVALID).sort())('invalid proto contract %s', (caseName) => {
  const dir = join(INVALID, caseName);

  it.skipIf(!hasProtoc)('fails with the expected message and writes nothing', async () => {
    const { error, fs } = await failure(dir);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).format()).toBe(expected(dir, false));
    expect(fs.writes).toBe(0);
  });

  it('without protoc on PATH: still located, and writes nothing', async () => {
    vi.stubEnv('PATH', '');
    const { error, fs } = await failure(dir);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).format()).toBe(expected(dir, true));
    expect(fs.writes).toBe(0);
  });
});

describe('invalid proto contracts: messages', () => {
  it('are deterministic: no machine path in any of them', () => {
    for (const caseName of readdirSync(INVALID)) {
      for (const name of ['expected-error.txt', 'expected-error-without-protoc.txt']) {
        const file = join(INVALID, caseName, name);
        if (!existsSync(file)) continue;
        const text = readFileSync(file, 'utf8');
        expect(text.trim().split('\n')).toHaveLength(1);
        expect(text).not.toMatch(/node_modules|\/tmp\/|\/work\/|\/home\//);
      }
    }
  });

  it('an unresolved import names the -I folders as given', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-neg-proto-'));
    const contract = readFileSync(join(INVALID, 'unresolved-import', 'contract.proto'), 'utf8');
    writeFileSync(join(cwd, 'contract.proto'), contract);
    const { error, fs } = await failure(cwd, ['.', '../' + cwd.split('/').pop()!]);
    expect((error as UserError).format()).toBe(
      `contract.proto:6:8: import "acme/money/v1/money.proto" not found; searched ., ../${cwd.split('/').pop()!} and svc's bundled protos (google/api, google/rpc, google/type, google/protobuf, ...); add the folder it is under with -I`,
    );
    expect(fs.writes).toBe(0);
  });

  it('a missing -I folder is named as given', async () => {
    const dir = join(INVALID, 'no-service');
    const fs = new MemoryFileSystem();
    await expect(
      newService({ name: 'x', module: 'example.com/x', dir: '/virtual/x', fs, proto: 'contract.proto', includes: ['nope/protos'], transports: ['http'], database: 'memory', cwd: dir }),
    ).rejects.toThrow('include folder not found: nope/protos');
    expect(fs.writes).toBe(0);
  });

  it('a missing contract file', async () => {
    const fs = new MemoryFileSystem();
    const error = await newService({ name: 'x', module: 'example.com/x', dir: '/virtual/x', fs, proto: 'nope.proto', transports: ['http'], database: 'memory', cwd: INVALID }).catch((e: unknown) => e);
    expect((error as UserError).format()).toBe('contract file not found: nope.proto');
    expect(fs.writes).toBe(0);
  });
});

/** Generates the shop service, in memory, from a shop.proto with this text. */
async function generateShop(proto: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'svc-shop-'));
  writeFileSync(join(cwd, 'shop.proto'), proto);
  const fs = new MemoryFileSystem();
  const result = await newService({ name: 'shop', module: 'example.com/shop', dir: '/virtual/shop', fs, proto: 'shop.proto', transports: ['http', 'grpc'], database: 'memory', cwd });
  return { fs, result };
}

describe('a proto without option go_package', () => {
  it.skipIf(!canGenerate)('generates, with a warning naming the file', async () => {
    const { fs, result } = await generateShop(
      'syntax = "proto3";\n\npackage shop.v1;\n\nservice ShopService {\n  rpc GetItem(GetItemRequest) returns (Item);\n}\n\nmessage GetItemRequest {\n  string id = 1;\n}\n\nmessage Item {\n  string id = 1;\n}\n',
    );
    expect(result.model.warnings).toContain("shop.proto: no option go_package; the Go package is derived from the module path and the file's folder");
    expect(await fs.read('shopproto/shop.proto')).toBeDefined();
    expect(fs.writes).toBeGreaterThan(0);
  });
});

describe('a google.api.http path with "**" before its last segment', () => {
  it.skipIf(!canGenerate)('leaves that binding out with a located warning; the others are served', async () => {
    const { fs, result } = await generateShop(
      [
        'syntax = "proto3";',
        '',
        'package shop.v1;',
        '',
        'import "google/api/annotations.proto";',
        '',
        'service ShopService {',
        '  rpc GetItem(GetItemRequest) returns (Item) {',
        '    option (google.api.http) = {',
        '      get: "/v1/{name=items/**}"',
        '      additional_bindings {get: "/v1/{name=**}/item"}',
        '    };',
        '  }',
        '}',
        '',
        'message GetItemRequest {',
        '  string name = 1;',
        '}',
        '',
        'message Item {',
        '  string name = 1;',
        '}',
        '',
      ].join('\n'),
    );
    expect(result.model.warnings).toContain(
      'shop.proto:8: rpc GetItem: google.api.http GET /v1/{name=**}/item: "**" must be the last segment of the path "/v1/{name=**}/item"; net/http.ServeMux cannot route it, so this binding is left out (the RPC is still served over gRPC)',
    );
    const routes = await fs.read('internal/gateway/routes.gen.go');
    expect(routes).toContain('"/v1/items/{name...}"');
    expect(routes).not.toContain('/item"');
  });
});

describe('svc new --proto with a broken contract, through the real CLI', () => {
  function run(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it.skipIf(!hasProtoc)('exits 1 with one line on stderr, no stack trace, nothing written', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-proto-'));
    const target = join(cwd, 'out');
    const r = run(['new', 'x', '--proto', join(INVALID, 'syntax-missing-semicolon', 'contract.proto'), '--dir', target, '--yes', '--skip-tidy'], cwd, { ...process.env, CI: 'true' });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    // An absolute contract path outside the current folder is named as given.
    expect(lines[0]).toBe(`error: ${join(INVALID, 'syntax-missing-semicolon', 'contract.proto')}:12:16: syntax error: Expected ";".`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('without protoc on PATH: the same one line, from protobufjs', () => {
    const cwd = join(INVALID, 'syntax-in-import');
    const target = join(mkdtempSync(join(tmpdir(), 'svc-cli-proto-')), 'out');
    const r = run(['new', 'x', '--proto', 'contract.proto', '--dir', target, '--yes', '--skip-tidy'], cwd, { PATH: dirname(process.execPath), HOME: process.env.HOME ?? '/tmp' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`error: ${expected(cwd, true)}`]);
    expect(existsSync(target)).toBe(false);
  });
});

// protoc starts on the contract's files before the model is built: a mistake
// found while building (here, no service) stops it at once, and its scratch
// folders go with it, rather than waiting for it to finish.
describe('a mistake found while protoc generates', () => {
  it('stops protoc and removes its folders before it is reported', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'svc-fake-protoc-'));
    const tmp = mkdtempSync(join(tmpdir(), 'svc-fake-tmp-'));
    const started = join(tmp, 'generating');
    // The check (`-o`) passes at once; a generating run would take a minute.
    writeFileSync(
      join(bin, 'protoc'),
      `#!/bin/sh\ncase "$*" in *--version*) echo "libprotoc 3.21.12"; exit 0;; *" -o "*) exit 0;; esac\ntouch '${started}'\nexec sleep 60\n`,
      { mode: 0o755 },
    );
    for (const [plugin, version] of [['protoc-gen-go', 'protoc-gen-go v1.36.6'], ['protoc-gen-go-grpc', 'protoc-gen-go-grpc 1.5.1']] as const) {
      writeFileSync(join(bin, plugin), `#!/bin/sh\necho "${version}"\n`, { mode: 0o755 });
    }
    const cwd = mkdtempSync(join(tmpdir(), 'svc-noservice-'));
    writeFileSync(join(cwd, 'contract.proto'), 'syntax = "proto3";\n\npackage x.v1;\n\noption go_package = "example.com/x/gen/xv1;xv1";\n\nmessage Item {\n  string id = 1;\n}\n');
    const saved = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, SVC_TOOLS_BIN: process.env.SVC_TOOLS_BIN };
    process.env.PATH = `${bin}:${process.env.PATH}`;
    process.env.TMPDIR = tmp;
    process.env.SVC_TOOLS_BIN = bin;
    // Whether protoc was started is told by its scratch folder, which svc
    // makes as it spawns protoc: the fake's own marker may not be written
    // yet when a busy machine gets to the model's mistake first.
    const made: string[] = [];
    const watcher = watch(tmp, (_event, name) => {
      if (name) made.push(name);
    });
    const t0 = Date.now();
    try {
      const { error, fs } = await failure(cwd);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toContain('the contract declares no service');
      expect(fs.writes).toBe(0);
      // inotify has queued the folder's creation; let its event arrive.
      await new Promise((r) => setTimeout(r, 200));
      expect(existsSync(started) || made.some((n) => n.startsWith('svc-protoc-')), 'protoc was started before the model was built').toBe(true);
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(readdirSync(tmp).filter((n) => n !== 'generating')).toEqual([]);
    } finally {
      watcher.close();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }, 60_000);
});
