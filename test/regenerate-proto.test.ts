import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiskFileSystem } from '../src/fs/disk.js';
import { genApi } from '../src/pipeline/gen.js';
import { newService } from '../src/pipeline/new.js';
import { findTools } from '../src/tools/protoc.js';
import { go, hasGo } from './support/go.js';

const CONTRACT = 'shopproto/shop.proto';

const SHOP_PROTO = `syntax = "proto3";

package shop.v1;

import "google/api/annotations.proto";

// The shop's items.
service ShopService {
  // GetItem returns one item.
  rpc GetItem(GetItemRequest) returns (Item) {
    option (google.api.http) = {get: "/v1/items/{id}"};
  }

  // CreateItem adds an item.
  rpc CreateItem(CreateItemRequest) returns (Item) {
    option (google.api.http) = {post: "/v1/items" body: "item"};
  }
}

message GetItemRequest {
  string id = 1;
}

message CreateItemRequest {
  Item item = 1;
}

message Item {
  string id = 1;
  string name = 2;
}
`;

const tools = await findTools();
const canGenerate = !tools.protoc.missing && !tools['protoc-gen-go'].missing && !tools['protoc-gen-go-grpc'].missing;

/** Every file under dir (but .svc/), by path relative to it, with its bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** A fresh proto service on disk from SHOP_PROTO: its root. */
async function shop(): Promise<string> {
  const base = mkdtempSync(join(tmpdir(), 'svc-regen-proto-'));
  writeFileSync(join(base, 'shop.proto'), SHOP_PROTO);
  const dir = join(base, 'shop');
  await newService({ name: 'shop', module: 'example.com/shop', dir, fs: new DiskFileSystem(dir), proto: 'shop.proto', transports: ['http', 'grpc'], database: 'memory', cwd: base });
  return dir;
}

/** Every file under dir, with its mode. */
function modes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(relative(dir, p), st.mode & 0o777);
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(!canGenerate)('svc new on a proto contract, into a staging folder', () => {
  it('writes the tree it writes without one: the files put there while protoc runs are the plan\'s, and only those', async () => {
    const direct = await shop();
    const base = mkdtempSync(join(tmpdir(), 'svc-ahead-proto-'));
    writeFileSync(join(base, 'shop.proto'), SHOP_PROTO);
    const dir = join(base, 'shop');
    const fs = new DiskFileSystem(dir, { staged: true });
    const written: string[] = [];
    const writeAhead = fs.writeAhead.bind(fs);
    fs.writeAhead = async (files) => {
      written.push(...files.map((f) => f.path));
      return writeAhead(files);
    };
    await newService({ name: 'shop', module: 'example.com/shop', dir, fs, proto: 'shop.proto', transports: ['http', 'grpc'], database: 'memory', cwd: base });
    expect(written.length).toBeGreaterThan(50);
    expect(readdirSync(base).sort()).toEqual(['shop', 'shop.proto']);
    expect(snapshot(dir)).toEqual(snapshot(direct));
    expect(modes(dir)).toEqual(modes(direct));
    expect([...modes(dir).values()]).toContain(0o755);
  });
});

describe.skipIf(!canGenerate)('protoc\'s output, kept for the next run', () => {
  /** Runs fn with a protoc on PATH that notes each generating run (the real one does the work): the runs it made. */
  async function countingProtoc<T>(fn: () => Promise<T>): Promise<{ result: T; runs: number }> {
    const bin = mkdtempSync(join(tmpdir(), 'svc-counting-protoc-'));
    const log = join(bin, 'runs.log');
    writeFileSync(log, '');
    const real = (tools.protoc as { path: string }).path;
    writeFileSync(join(bin, 'protoc'), `#!/bin/sh\ncase "$*" in *--go_out=*|*--go-grpc_out=*) echo run >> '${log}';; esac\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      const result = await fn();
      return { result, runs: readFileSync(log, 'utf8').split('\n').filter(Boolean).length };
    } finally {
      process.env.PATH = saved;
    }
  }

  it('spares protoc when the contract is unchanged, and runs it when it changes', { timeout: 120_000 }, async () => {
    const { result: dir, runs: created } = await countingProtoc(() => shop());
    // One run per plugin, side by side.
    expect(created).toBe(2);
    const before = snapshot(dir);
    expect(before.get('.svc/cache/.gitignore')).toContain('*');
    expect(before.get('.svc/cache/protoc.json')).toMatch(/^svc-protoc-1 \S+\n\[/);

    const same = await countingProtoc(() => regen(dir));
    expect(same.runs).toBe(0);
    expect(same.result.written).toEqual([]);
    expect(snapshot(dir)).toEqual(before);

    editContract(dir, (t) => t.replace('  string name = 2;\n', '  string name = 2;\n  string note = 3;\n'));
    const changed = await countingProtoc(() => regen(dir));
    expect(changed.runs).toBe(2);
    expect(changed.result.written.filter((p) => p.endsWith('.pb.go')).length).toBeGreaterThan(0);
    const after = snapshot(dir);
    expect([...after.entries()].find(([p]) => p.endsWith('shop.pb.go'))?.[1]).toContain('GetNote()');
    expect(after.get('.svc/cache/protoc.json')).not.toBe(before.get('.svc/cache/protoc.json'));

    // A file of protoc's edited by hand is not the one svc wrote: protoc runs, and the edit is a conflict as before.
    const pb = [...after.keys()].find((p) => p.endsWith('shop.pb.go'))!;
    writeFileSync(join(dir, pb), `${after.get(pb)!}\n// mine\n`);
    const edited = await countingProtoc(() => regen(dir));
    expect(edited.runs).toBe(2);
    expect(actions(edited.result)[pb]).toBe('conflict');
    writeFileSync(join(dir, pb), after.get(pb)!);
    expect((await countingProtoc(() => regen(dir))).runs).toBe(0);

    // An entry that does not read back is no entry: protoc runs, and the entry is written anew.
    writeFileSync(join(dir, '.svc/cache/protoc.json'), `${after.get('.svc/cache/protoc.json')!.split('\n')[0]}\n[{"path":`);
    const corrupt = await countingProtoc(() => regen(dir));
    expect(corrupt.runs).toBe(2);
    expect(corrupt.result.written).toEqual([]);
    expect(snapshot(dir)).toEqual(after);

    // SVC_GEN_CACHE=off: protoc runs whatever is kept.
    process.env.SVC_GEN_CACHE = 'off';
    try {
      expect((await countingProtoc(() => regen(dir))).runs).toBe(2);
    } finally {
      delete process.env.SVC_GEN_CACHE;
    }
  });
});

function editContract(dir: string, edit: (text: string) => string): void {
  const path = join(dir, CONTRACT);
  const text = readFileSync(path, 'utf8');
  const next = edit(text);
  expect(next).not.toBe(text);
  writeFileSync(path, next);
}

const regen = (dir: string, force = false) => genApi({ dir, fs: new DiskFileSystem(dir), force });

function actions(result: Awaited<ReturnType<typeof regen>>): Record<string, string> {
  return Object.fromEntries(result.plan.changes.map((c) => [c.artifact.path, c.action]));
}

describe.skipIf(!canGenerate)('svc gen api on a proto service (on disk)', () => {
  let original = new Map<string, string>();
  let dir = '';

  beforeAll(async () => {
    dir = await shop();
    original = snapshot(dir);
  });

  it('writes the contract, the stubs and the protoc output', () => {
    for (const path of [CONTRACT, 'internal/service/shop_service_get_item.go', 'internal/service/shop_service_create_item.go', 'internal/gateway/routes.gen.go', 'svc.yaml']) {
      expect(original.has(path), path).toBe(true);
    }
    expect([...original.keys()].some((p) => p.startsWith('shopproto/') && p.endsWith('.pb.go'))).toBe(true);
  });

  it('changes nothing on an unchanged contract', async () => {
    const result = await regen(dir);
    expect(result.written).toEqual([]);
    expect(result.reports).toEqual([]);
    expect(result.plan.changes.filter((c) => c.action !== 'unchanged' && c.action !== 'skip').map((c) => `${c.action} ${c.artifact.path}`)).toEqual([]);
    expect(snapshot(dir)).toEqual(original);
  });

  it('an added RPC gets its stub; existing stubs stay byte-identical; generated files follow; go builds', { timeout: 600_000 }, async () => {
    const d = await shop();
    // The user implements GetItem.
    const mine = readFileSync(join(d, 'internal/service/shop_service_get_item.go'), 'utf8')
      .replace(/return nil, status\.Error\(codes\.Unimplemented, [^\n]*\)/, 'return &shoppb.Item{Id: req.GetId(), Name: "mine"}, nil')
      .replace(/\n\t"google\.golang\.org\/grpc\/(codes|status)"/g, '');
    expect(mine).toContain('"mine"');
    writeFileSync(join(d, 'internal/service/shop_service_get_item.go'), mine);
    const before = snapshot(d);

    editContract(d, (t) =>
      t
        .replace(
          '  // CreateItem adds an item.',
          '  // DeleteItem removes an item.\n  rpc DeleteItem(DeleteItemRequest) returns (Item) {\n    option (google.api.http) = {delete: "/v1/items/{id}"};\n  }\n\n  // CreateItem adds an item.',
        )
        .replace('message CreateItemRequest {', 'message DeleteItemRequest {\n  string id = 1;\n}\n\nmessage CreateItemRequest {'),
    );
    const result = await regen(d);
    const a = actions(result);
    expect(a['internal/service/shop_service_delete_item.go']).toBe('create');
    expect(a['internal/service/shop_service_get_item.go']).toBe('skip');
    expect(a['internal/service/shop_service_create_item.go']).toBe('unchanged');
    expect(a['internal/gateway/routes.gen.go']).toBe('overwrite');
    // The server type holds no per-RPC code: unchanged.
    expect(a['internal/service/shop_service.gen.go']).toBe('unchanged');
    expect(a['cmd/shop/api_gen_test.go']).toBe('overwrite');
    expect(Object.entries(a).filter(([p, act]) => p.endsWith('.pb.go') && act === 'overwrite').length).toBeGreaterThan(0);
    expect(result.reports).toEqual([]);

    const after = snapshot(d);
    expect(after.get('internal/service/shop_service_get_item.go')).toBe(before.get('internal/service/shop_service_get_item.go'));
    expect(after.get('internal/service/shop_service_create_item.go')).toBe(before.get('internal/service/shop_service_create_item.go'));
    expect(after.get('internal/service/shop_service_delete_item.go')).toMatch(/func \(s \*ShopServiceServer\) DeleteItem\(ctx context\.Context, req \*shoppb\.DeleteItemRequest\) \(\*shoppb\.Item, error\)/);
    expect(after.get('internal/gateway/routes.gen.go')).toContain('DeleteItem');
    expect(after.get('shopproto/openapi/shop.yaml')).toMatch(/\/v1\/items\/\{id\}:\n(?:.*\n)*?\s+delete:/);
    // Files the change does not touch are not rewritten.
    for (const path of ['go.mod', 'Makefile', 'internal/service/service.go', 'cmd/shop/main.go']) expect(after.get(path), path).toBe(before.get(path));

    // A second run is a no-op.
    expect((await regen(d)).written).toEqual([]);

    if (!hasGo()) return;
    await go(d, 'mod', 'tidy');
    await go(d, 'build', './...');
    await go(d, 'vet', './internal/service/', './internal/gateway/');
  });

  it('a removed RPC: its unedited stub is deleted; an edited one is kept and reported while it exists', async () => {
    const d = await shop();
    const path = join(d, 'internal/service/shop_service_create_item.go');
    editContract(d, (t) => t.replace(/\n  \/\/ CreateItem adds an item\.\n  rpc CreateItem[\s\S]*?\n  }\n/, '\n'));
    const stub = readFileSync(path, 'utf8');
    const edited = `${stub}\n// mine\n`;
    writeFileSync(path, edited);
    const result = await regen(d);
    expect(result.reports).toEqual([expect.stringMatching(/^internal\/service\/shop_service_create_item\.go:\d+: orphan: .*the file was edited, so it is kept: delete the file/)]);
    expect(readFileSync(path, 'utf8')).toBe(edited);
    expect(readFileSync(join(d, 'internal/gateway/routes.gen.go'), 'utf8')).not.toContain('CreateItem');

    writeFileSync(path, stub);
    const again = await regen(d);
    expect(again.reports).toEqual([]);
    expect(actions(again)['internal/service/shop_service_create_item.go']).toBe('delete');
    expect(existsSync(path)).toBe(false);
  });

  it("a changed request type is reported with the stub's file and line", async () => {
    const d = await shop();
    const stub = `${readFileSync(join(d, 'internal/service/shop_service_get_item.go'), 'utf8')}\n// mine\n`;
    writeFileSync(join(d, 'internal/service/shop_service_get_item.go'), stub);
    const line = stub.split('\n').findIndex((l) => l.startsWith('func (s *ShopServiceServer) GetItem(')) + 1;
    expect(line).toBeGreaterThan(0);
    editContract(d, (t) =>
      t
        .replace('rpc GetItem(GetItemRequest)', 'rpc GetItem(FetchItemRequest)')
        .replace('message GetItemRequest {', 'message FetchItemRequest {'),
    );
    const result = await regen(d);
    expect(result.reports).toEqual([
      `internal/service/shop_service_get_item.go:${line}: the operation's signature changed in the contract; update it to: func (s *ShopServiceServer) GetItem(ctx context.Context, req *shoppb.FetchItemRequest) (*shoppb.Item, error)`,
    ]);
    expect(readFileSync(join(d, 'internal/service/shop_service_get_item.go'), 'utf8')).toBe(stub);
  });

  it('a generated file edited by hand is a conflict, left alone unless --force', async () => {
    const d = await shop();
    const routes = join(d, 'internal/gateway/routes.gen.go');
    const edited = `${readFileSync(routes, 'utf8')}\n// my change\n`;
    writeFileSync(routes, edited);
    const result = await regen(d);
    expect(actions(result)['internal/gateway/routes.gen.go']).toBe('conflict');
    expect(readFileSync(routes, 'utf8')).toBe(edited);

    const forced = await regen(d, true);
    expect(actions(forced)['internal/gateway/routes.gen.go']).toBe('overwrite');
    expect(readFileSync(routes, 'utf8')).not.toContain('// my change');
    expect(existsSync(routes)).toBe(true);
  });
});
