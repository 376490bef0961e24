import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { captureStreams } from '../support/streams.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'svc.js');
const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'svc-output.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/** Runs the CLI in-process; stdout must be exactly one JSON document valid against the shipped schema. */
async function json(args: string[], files: Record<string, Record<string, string>> = {}) {
  const systems = new Map<string, MemoryFileSystem>();
  const io = captureStreams();
  const code = await main([...args, '--json'], {
    cwd: '/work',
    stdout: io.stdout,
    stderr: io.stderr,
    interactive: false,
    fsFor: (dir) => systems.get(dir) ?? systems.set(dir, new MemoryFileSystem(files[dir] ?? {})).get(dir)!,
  });
  const doc = JSON.parse(io.text.stdout) as Record<string, unknown> & { exitCode: number; files: { path: string; action: string }[]; problems: { message: string; file?: string; line?: number }[] };
  expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  expect(doc.exitCode).toBe(code);
  return { code, doc, stderr: io.text.stderr, systems };
}

describe('--json', () => {
  it('svc new: every file with its action, the resources, nothing else on stdout', async () => {
    const { code, doc } = await json(['new', 'product', '-y', '--dry-run']);
    expect(code).toBe(0);
    expect(doc.command).toBe('new');
    expect(doc.dryRun).toBe(true);
    expect(doc.files).toContainEqual(expect.objectContaining({ path: 'productproto/openapi/product.yaml', action: 'create' }));
    expect(doc.resources).toEqual([{ kind: 'resource', name: 'Product', methods: ['create', 'get', 'list', 'update', 'delete'], recognisedBy: 'rest' }]);
  });

  it('svc gen api on an unchanged service: every file unchanged', async () => {
    const made = await json(['new', 'product', '-y']);
    const fs = made.systems.get('/work/product')!;
    const again = await json(['gen', 'api', '--dir', 'product'], { '/work/product': Object.fromEntries(fs.files) });
    expect(again.code).toBe(0);
    expect(again.doc.command).toBe('gen api');
    expect(again.doc.files.length).toBeGreaterThan(100);
    expect(again.doc.files.every((f) => f.action === 'unchanged')).toBe(true);
  });

  it('a contract error is a located problem, exit 1', async () => {
    const made = await json(['new', 'product', '-y']);
    const files = Object.fromEntries(made.systems.get('/work/product')!.files);
    const contract = 'productproto/openapi/product.yaml';
    files[contract] = files[contract]!.replace(/type: object/, 'type: objekt');
    const r = await json(['gen', 'api', '--dir', 'product'], { '/work/product': files });
    expect(r.code).toBe(1);
    expect(r.doc.problems).toHaveLength(1);
    expect(r.doc.problems[0]).toMatchObject({ severity: 'error', file: contract, line: expect.any(Number) });
    expect(r.stderr).toMatch(/^error: productproto\/openapi\/product\.yaml:\d+/m);
  });

  it('a usage mistake: exit 2 and the message as a problem', async () => {
    const r = await json(['new', 'product', '--database', 'oracle']);
    expect(r.code).toBe(2);
    expect(r.doc.problems[0]!.message).toMatch(/argument 'oracle' is invalid/);
  });

  it('svc doctor: one entry per tool', () => {
    const r = spawnSync(process.execPath, [BIN, 'doctor', '--json'], { encoding: 'utf8' });
    const doc = JSON.parse(r.stdout) as { command: string; tools: { name: string; found: boolean }[]; exitCode: number };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.command).toBe('doctor');
    expect(doc.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['go', 'protoc']));
    expect(doc.exitCode).toBe(r.status);
  });

  it('on disk, through the bin: stdout is the document alone', () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-json-'));
    const r = spawnSync(process.execPath, [BIN, 'new', 'shop', '-y', '--skip-tidy', '--json'], { cwd: parent, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { files: unknown[]; command: string };
    expect(validate(doc)).toBe(true);
    expect(doc.files.length).toBeGreaterThan(100);
  });
});
