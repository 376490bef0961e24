import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { MemoryFileSystem } from '../src/fs/memory.js';
import { captureStreams } from './support/streams.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'svc.js');

/** Runs the CLI in-process against one in-memory file system per target folder. */
async function runMemory(args: string[], files: Record<string, string> = {}) {
  const systems = new Map<string, MemoryFileSystem>();
  const io = captureStreams();
  const code = await main(args, {
    cwd: '/work',
    stdout: io.stdout,
    stderr: io.stderr,
    interactive: false,
    fsFor: (dir) => {
      let fs = systems.get(dir);
      if (!fs) {
        fs = new MemoryFileSystem(dir === '/work/product' ? files : {});
        systems.set(dir, fs);
      }
      return fs;
    },
  });
  return { code, ...io.text, systems };
}

function runDisk(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function written(systems: Map<string, MemoryFileSystem>): number {
  return [...systems.values()].reduce((n, fs) => n + fs.writes, 0);
}

describe('svc new: bad input gives one clear line, the right exit code, and writes nothing', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['a name with a space', ['new', 'Product Service', '--yes'], 2, /invalid service name "Product Service"/],
    ['a path as name', ['new', '../x', '--yes'], 2, /invalid service name "\.\.\/x"/],
    ['a Go keyword', ['new', 'func', '--yes'], 2, /"func": it is a Go keyword/],
    ['an empty name', ['new', '', '--yes'], 2, /the service name is empty/],
    ['a missing contract file', ['new', 'product', '--openapi', 'nope.yaml', '--yes'], 1, /contract file not found: nope\.yaml/],
    ['a bad module path', ['new', 'product', '--module', 'a//b', '--yes'], 2, /invalid Go module path "a\/\/b"/],
    ['an unknown flag', ['new', 'product', '--colour', 'red'], 2, /unknown option '--colour'/],
    ['a missing argument', ['new'], 2, /missing required argument 'name'/],
    ['an unknown command', ['frobnicate'], 2, /unknown command 'frobnicate'/],
    ['a bad choice', ['new', 'product', '--database', 'oracle', '--yes'], 2, /argument 'oracle' is invalid. Allowed choices are .*memory/],
    ['an unknown broker', ['new', 'product', '--events', 'rabbitmq', '--yes'], 2, /argument 'rabbitmq' is invalid. Allowed choices are memory, nats, kafka/],
    ['an unknown cache', ['new', 'product', '--cache', 'memcached', '--yes'], 2, /argument 'memcached' is invalid. Allowed choices are off, memory, redis/],
    ['an unknown broker in svc.yaml', ['gen', 'api', '--dir', 'product'], 1, /svc\.yaml: features\.events: unknown broker "rabbitmq" \(known: memory, nats, kafka\)/],
  ];

  it.each(cases)('in memory: %s', async (_name, args, code, message) => {
    const r = await runMemory(args, args[0] === 'gen' ? { 'svc.yaml': 'name: product\nmodule: example.com/product\ncontract: {kind: openapi, path: productproto/openapi/product.yaml}\nfeatures: {events: rabbitmq}\n' } : {});
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(written(r.systems)).toBe(0);
  });

  it('in memory: an existing non-empty target without --force', async () => {
    const r = await runMemory(['new', 'product', '--yes'], { 'notes.txt': 'mine' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/target directory \/work\/product exists and is not empty \(use --force/);
    expect(written(r.systems)).toBe(0);
  });

  it.each(cases.filter(([, args]) => args[0] !== 'gen'))('on disk: %s', (_name, args, code, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-'));
    const r = runDisk(args, cwd);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('on disk: an existing non-empty target without --force', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-'));
    mkdirSync(join(cwd, 'product'));
    writeFileSync(join(cwd, 'product', 'notes.txt'), 'mine');
    const r = runDisk(['new', 'product', '--yes', '--skip-tidy'], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exists and is not empty/);
    expect(readdirSync(join(cwd, 'product'))).toEqual(['notes.txt']);
  });

  it('on disk: an invalid contract names file and line, and writes nothing', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-'));
    writeFileSync(join(cwd, 'api.yaml'), "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responsez: {}\n");
    const r = runDisk(['new', 'product', '--openapi', 'api.yaml', '--yes', '--skip-tidy'], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: api\.yaml:\d+:\d+ .*invalid OpenAPI document/);
    expect(existsSync(join(cwd, 'product'))).toBe(false);
  });
});

describe('svc new --events and --cache', () => {
  it('record the broker and the cache in svc.yaml, and build them in', async () => {
    const r = await runMemory(['new', 'product', '--events', 'kafka', '--cache', 'redis', '--skip-tidy', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const fs = r.systems.get('/work/product')!;
    expect(await fs.read('svc.yaml')).toMatch(/features:\n  transports:\n    - http\n  database: sql\n  events: kafka\n  cache: redis\n/);
    expect(await fs.exists('internal/event/kafka.go')).toBe(true);
    expect(await fs.exists('internal/event/nats.go')).toBe(false);
    expect(await fs.exists('internal/repository/product_cache.gen.go')).toBe(true);
    expect(await fs.read('deployments/base/deployment.yaml')).toContain('- name: PRODUCT_EVENTS_BROKERS\n              value: "kafka:9092"');
  });
});

describe('svc new on disk', () => {
  it('without go on PATH says what to install and still writes the files', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-'));
    const r = spawnSync(process.execPath, [BIN, 'new', 'product', '--yes'], {
      cwd,
      encoding: 'utf8',
      env: { PATH: join(process.execPath, '..'), HOME: process.env.HOME ?? '/tmp' },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/`go` is not on PATH: install Go 1\.22 or newer/);
    expect(existsSync(join(cwd, 'product', 'cmd', 'product', 'main.go'))).toBe(true);
  });

  it('re-running gen api on an unchanged service writes nothing', { timeout: 60_000 }, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-'));
    expect(runDisk(['new', 'product', '--yes', '--skip-tidy'], cwd).code).toBe(0);
    const dir = join(cwd, 'product');
    const before = snapshot(dir);
    const r = runDisk(['gen', 'api'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 created, 0 updated, \d+ unchanged/);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('svc gen client', () => {
  it('adds a client of another service to svc.yaml, keeps it with gen api, and changes nothing when re-run', { timeout: 120_000 }, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-'));
    expect(runDisk(['new', 'product', '--yes', '--skip-tidy'], cwd).code).toBe(0);
    const dir = join(cwd, 'product');
    const orders = join(import.meta.dirname, '..', 'fixtures', 'orders', 'openapi.yaml');
    const added = runDisk(['gen', 'client', '--contract', orders, '--package', 'orders'], dir);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('the Go client is in internal/client/orders');
    expect(readFileSync(join(dir, 'svc.yaml'), 'utf8')).toMatch(/clients:\n {2}orders:\n {4}contract: .*fixtures\/orders\/openapi\.yaml\n/);
    expect(existsSync(join(dir, 'internal', 'client', 'orders', 'models', 'order.gen.go'))).toBe(true);
    const before = snapshot(dir);
    for (const args of [['gen', 'client', '--contract', orders, '--package', 'orders'], ['gen', 'client'], ['gen', 'api']]) {
      const again = runDisk(args, dir);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/0 created, 0 updated, \d+ unchanged/);
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses what does not apply, with a usage error', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-'));
    expect(runDisk(['new', 'product', '--yes', '--skip-tidy'], cwd).code).toBe(0);
    const dir = join(cwd, 'product');
    const out = runDisk(['gen', 'client', '--out', 'x'], dir);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--out is for --lang ts/);
    const missing = runDisk(['gen', 'client', '--contract', 'nope.yaml'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/contract file not found: nope\.yaml/);
    expect(runDisk(['gen', 'client', '--lang', 'rust'], dir).code).toBe(2);
  });
});

/** Every file under dir with its modification time and content. */
/**
 * Every file of the service with its time and text, but svc's own cache
 * (`.svc/cache/`: gen api's fingerprint, which a run in step records), which
 * is not part of the service.
 */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = join(sub, e.name);
      if (rel === join('.svc', 'cache')) continue;
      if (e.isDirectory()) walk(rel);
      else out[rel] = `${statSync(join(dir, rel)).mtimeMs} ${readFileSync(join(dir, rel), 'utf8')}`;
    }
  };
  walk('');
  return out;
}

describe('svc basics', () => {
  it('prints its version and help with exit code 0', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-'));
    const version = runDisk(['--version'], cwd);
    expect(version.code).toBe(0);
    expect(version.stdout.split('\n')[0]).toMatch(/^\d+\.\d+\.\d+$/);
    const help = runDisk(['--help'], cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/new \[options\] <name>/);
    expect(help.stdout).toMatch(/gen/);
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const r = await runMemory(['new', 'product', '--yes', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^create\s+cmd\/product\/main\.go$/m);
    expect(r.stdout).toMatch(/dry run: \d+ created, 0 updated, 0 unchanged; nothing written/);
    expect(written(r.systems)).toBe(0);
  });

  it('re-running generation on the unchanged starter contract changes no file', async () => {
    const first = await runMemory(['new', 'product', '--yes', '--skip-tidy']);
    expect(first.code).toBe(0);
    const fs = first.systems.get('/work/product')!;
    const before = new Map(fs.files);
    const writes = fs.writes;
    const out = new PassThrough();
    let stdout = '';
    out.on('data', (d) => (stdout += d));
    const code = await main(['gen', 'api', '--dir', '/work/product'], {
      cwd: '/work',
      stdout: out as unknown as NodeJS.WriteStream,
      stderr: new PassThrough() as unknown as NodeJS.WriteStream,
      interactive: false,
      fsFor: () => fs,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/0 created, 0 updated, \d+ unchanged/);
    expect(fs.writes).toBe(writes);
    expect(fs.files).toEqual(before);
  });

  it('svc gen api outside a service says so', async () => {
    const r = await runMemory(['gen', 'api', '--dir', '/work/elsewhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not an svc service: no svc.yaml/);
  });

  it('the bin runs with the built dist', () => {
    expect(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).split('\n')[0]).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('svc new --force in a folder that already is a service', { timeout: 60_000 }, () => {
  /** A starter service whose contract has gained a field the starter lacks. */
  function serviceWithOwnContract() {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-'));
    expect(runDisk(['new', 'product', '--yes', '--skip-tidy'], cwd).code).toBe(0);
    const dir = join(cwd, 'product');
    const contract = join(dir, 'productproto', 'openapi', 'product.yaml');
    const text = readFileSync(contract, 'utf8');
    const withSku = text.replace(/(description: A product, as the product service stores it\.\n\s+required: \[[^\]]*\]\n\s+properties:\n)/, '$1        sku:\n          type: string\n');
    expect(withSku).not.toBe(text);
    writeFileSync(contract, withSku);
    return { cwd, dir, contract, text: withSku };
  }

  it('re-generates it from the contract its svc.yaml names, not from the starter', () => {
    const { dir, contract, text } = serviceWithOwnContract();
    const r = runDisk(['new', 'product', '--dir', '.', '--force', '--yes', '--skip-tidy'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: .* is already the service product: re-generated from its contract productproto\/openapi\/product\.yaml \(svc\.yaml\)/);
    expect(readFileSync(contract, 'utf8')).toBe(text);
    expect(readFileSync(join(dir, 'pkg', 'models', 'product.gen.go'), 'utf8')).toMatch(/\tSKU \*?string `json:"sku/);
  });

  it.each([
    ['another contract', ['--openapi', 'other.yaml']],
    ['a proto contract', ['--proto']],
    ['another name', [], 'billing'],
    ['another module', ['--module', 'example.org/other']],
  ])('refuses %s in one line and writes nothing', (_what, flags, name = 'product') => {
    const { cwd, dir } = serviceWithOwnContract();
    writeFileSync(join(dir, 'other.yaml'), readFileSync(join(dir, 'productproto', 'openapi', 'product.yaml'), 'utf8').replace('sku:', 'code:'));
    const before = snapshot(cwd);
    const r = runDisk(['new', name, '--dir', '.', '--force', '--yes', '--skip-tidy', ...flags], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .* is already the service product \(svc\.yaml, contract productproto\/openapi\/product\.yaml\), not (the contract other\.yaml|a \.proto contract|the service billing|module example\.org\/other): edit svc\.yaml or the contract file, then run `svc gen api`$/m);
    expect(snapshot(cwd)).toEqual(before);
  });
});

describe('a new module path in svc.yaml', () => {
  it('rewrites go.mod\'s module line and names each user file still importing the old path, with the exact edit', { timeout: 120_000 }, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-cli-'));
    expect(runDisk(['new', 'product', '--yes'], cwd).code).toBe(0);
    const dir = join(cwd, 'product');
    // The user has written code in one stub; the others are as svc made them.
    const edited = join(dir, 'internal', 'service', 'get_product.go');
    writeFileSync(edited, `${readFileSync(edited, 'utf8')}\n// Reviewed by the catalogue team.\n`);
    const settings = join(dir, 'svc.yaml');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace(/^module: .*$/m, 'module: example.org/shop/product'));

    const r = runDisk(['gen', 'api'], dir);
    expect(readFileSync(join(dir, 'go.mod'), 'utf8')).toMatch(/^module example\.org\/shop\/product\n/);
    expect(r.stdout).toMatch(/^overwrite\s+go\.mod$/m);
    const named = [...r.stderr.matchAll(/^action needed: (\S+?):(\d+): imports "([^"]+)" from the old module path; change it to "([^"]+)"$/gm)];
    // The edited stub is named; a stub svc updated itself is not, one it kept is.
    expect(named.map((m) => m[1])).toContain('internal/service/get_product.go');
    for (const stub of readdirSync(join(dir, 'internal', 'service')).filter((f) => !f.includes('.gen.') && f.endsWith('.go'))) {
      const updated = new RegExp(`^overwrite\\s+internal/service/${stub}$`, 'm').test(r.stdout);
      expect(named.some((m) => m[1] === `internal/service/${stub}`), stub).toBe(!updated && /"example\.com\/product/.test(readFileSync(join(dir, 'internal', 'service', stub), 'utf8')));
    }
    // Action needed lines come last, then the one line saying the tree does not compile; the exit is non-zero.
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^error: the service will not compile until the edits named under "action needed" are made$/);
    expect(lines.slice(lines.findIndex((l) => l.startsWith('action needed:')), -1).every((l) => l.startsWith('action needed:'))).toBe(true);
    expect(r.code).toBe(1);

    // Making exactly the named edits gives a tree that builds, and a run that has nothing left to say.
    for (const [, file, line, from, to] of named) {
      const path = join(dir, file!);
      const text = readFileSync(path, 'utf8').split('\n');
      expect(text[Number(line) - 1]).toContain(`"${from}"`);
      text[Number(line) - 1] = text[Number(line) - 1]!.replace(`"${from}"`, `"${to}"`);
      writeFileSync(path, text.join('\n'));
    }
    const build = spawnSync('go', ['build', './...'], { cwd: dir, encoding: 'utf8' });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const again = runDisk(['gen', 'api'], dir);
    expect(again.stderr).not.toMatch(/action needed/);
    expect(again.code).toBe(0);
  });
});

describe('the platform commands', () => {
  /** Runs the CLI in-process with one memory file system shared by every folder under /work/shop. */
  async function runPlatform(args: string[], fs: MemoryFileSystem) {
    const io = captureStreams();
    const code = await main(args, { cwd: '/work', stdout: io.stdout, stderr: io.stderr, interactive: false, fsFor: () => fs });
    return { code, ...io.text };
  }

  it('makes a platform, adds a service, and regenerates it at the root without changes', async () => {
    const fs = new MemoryFileSystem();
    const made = await runPlatform(['new', 'shop', '--monorepo', '--module', 'example.com/shop'], fs);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain('svc add service product');
    const added = await runPlatform(['add', 'service', 'product', '--dir', 'shop'], fs);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('added the product service in services/product');
    expect(await fs.read('services/product/svc.yaml')).toMatch(/platform:\n  name: shop\n  module: example\.com\/shop\n  root: \.\.\/\.\.\n/);
    expect(await fs.read('go.work')).toContain('./services/product');
    const again = await runPlatform(['gen', 'api', '--dir', 'shop'], fs);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/0 created, 0 updated, \d+ unchanged/);
  });

  it.each([
    ['--monorepo with a service flag', ['new', 'shop', '--monorepo', '--openapi', 'x.yaml'], 2, /--monorepo makes a platform without services: give --openapi to `svc add service` instead/],
    ['add service outside a platform', ['add', 'service', 'product'], 1, /\/work is not an svc platform/],
    ['add client outside a platform', ['add', 'client', 'product', '--to', 'order'], 1, /\/work is not an svc platform/],
    ['add client without --to', ['add', 'client', 'product'], 2, /required option '--to <service>' not specified/],
    ['add service with two contracts', ['add', 'service', 'x', '--openapi', 'a.yaml', '--proto', 'b.proto'], 2, /--openapi and --proto cannot be used together/],
  ])('refuses %s in one line, writing nothing', async (_name, args, code, message) => {
    const fs = new MemoryFileSystem();
    const r = await runPlatform(args as string[], fs);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.writes).toBe(0);
  });
});
