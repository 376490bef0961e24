#!/usr/bin/env node
// The real-world coverage run: for every contract of bench/corpus/sample.txt,
// generate a service (svc new --skip-tidy), then run go mod tidy, gofmt -l,
// go vet and go build on it, and print the pass rate and the failures grouped
// by cause.
//
//   npm run build && node bench/corpus/run.js [--jobs N] [--only SUBSTRING] [--keep] [--list FILE]
//
// The default list is the OpenAPI sample; `--list bench/corpus/proto-sample.txt`
// runs the service protos of google-proto-files instead (svc new --proto FILE
// -I <google-proto-files>).
//
// Contracts come from npm packages cached under .cache/corpus (src/devtools/corpus.ts).
// Generated services go to a temporary folder, removed unless --keep.
//
// The TS column: the contract's TypeScript SDK renders and type-checks in
// process (src/render/ts: renderTsSdk + checkTsSdk; a proto contract's through
// its gateway's derived OpenAPI document). `--ts-only` skips the Go stages.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { corpusFile } from '../../dist/devtools/corpus.js';
import { LIBRARY_PROTOS, loadProto } from '../../dist/load/proto.js';
import { loadOpenAPI } from '../../dist/load/openapi.js';
import { buildModel } from '../../dist/build/index.js';
import { checkTsSdk, renderTsSdk } from '../../dist/render/ts/index.js';
import { gatewayModel } from '../../dist/render/proto/gatewaymodel.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const JOBS = Number(opt('--jobs', 2));
const ONLY = opt('--only', '');
const KEEP = args.includes('--keep');
const TS_ONLY = args.includes('--ts-only');
const LIST = opt('--list', join(import.meta.dirname, 'sample.txt'));
const BIN = process.env.SVC_BIN ?? join(import.meta.dirname, '..', '..', 'bin', 'svc.js');
const GO_ENV = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' };

const entries = readFileSync(LIST, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#') && l.includes(ONLY));


/** The first line that says what went wrong, without the temporary folder. */
function firstError(text, dir) {
  const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !/^go: (downloading|finding)/.test(l));
  return (lines.find((l) => /error|cannot|undefined|invalid|declared|redeclared|not used|mismatch|:\d+:\d+:/.test(l)) ?? lines[0] ?? '').replaceAll(dir, '.').trim();
}

/** A short cause for grouping: the message with names, numbers and paths blanked. */
function cause(stage, message) {
  const m = message
    .replace(/^[^ ]*\.go:\d+:\d+: /, '')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b[A-Z][A-Za-z0-9_]*\b/g, 'X')
    .replace(/\d+/g, 'N');
  return `${stage}: ${m.slice(0, 120)}`;
}

/** The TS column: whether the contract's TypeScript SDK renders and compiles (the first diagnostic when not). */
async function tsSdk(entry) {
  const proto = entry.endsWith('.proto');
  try {
    const file = corpusFile(entry);
    const loaded = proto ? await loadProto(file, { includes: [LIBRARY_PROTOS] }) : await loadOpenAPI(file);
    const settings = { name: 'svc', module: 'example.com/svc', contract: 'contract', contractKind: proto ? 'proto' : 'openapi', transports: proto ? ['http', 'grpc'] : ['http'] };
    const model = await gatewayModel(buildModel(loaded, 'svc'), settings);
    const diagnostics = checkTsSdk(renderTsSdk(model, { packageName: 'svc-client' }));
    return diagnostics.length === 0 ? { ok: true } : { ok: false, message: `${diagnostics.length} diagnostics, first: ${diagnostics[0]}` };
  } catch (err) {
    return { ok: false, message: String(err?.message ?? err).split('\n')[0] };
  }
}

async function one(entry, root) {
  const started = Date.now();
  const ts = await tsSdk(entry);
  if (TS_ONLY) return { entry, ok: ts.ok, ts, ...(ts.ok ? {} : { stage: 'ts', message: ts.message }), ms: Date.now() - started, warnings: 0 };
  const r = await goStages(entry, root);
  return { ...r, ts };
}

async function goStages(entry, root) {
  const started = Date.now();
  const dir = join(root, entry.replace(/[^A-Za-z0-9]+/g, '_'));
  const contract = entry.endsWith('.proto') ? ['--proto', corpusFile(entry), '-I', LIBRARY_PROTOS] : ['--openapi', corpusFile(entry)];
  const gen = await execa(process.execPath, [BIN, 'new', 'svc', ...contract, '--dir', dir, '--yes', '--skip-tidy'], { reject: false, all: true });
  const warnings = (gen.all ?? '').split('\n').filter((l) => l.startsWith('warning:')).length;
  if (gen.exitCode !== 0) return { entry, ok: false, stage: 'generate', message: firstError(gen.all ?? '', dir), ms: Date.now() - started, warnings };
  const steps = [
    ['tidy', ['go', 'mod', 'tidy']],
    ['gofmt', ['gofmt', '-l', '.']],
    ['vet', ['go', 'vet', './...']],
    ['build', ['go', 'build', './...']],
  ];
  for (const [stage, [cmd, ...rest]] of steps) {
    const r = await execa(cmd, rest, { cwd: dir, env: GO_ENV, reject: false, all: true });
    const failed = r.exitCode !== 0 || (stage === 'gofmt' && r.stdout.trim() !== '');
    if (failed) return { entry, ok: false, stage, message: stage === 'gofmt' ? `not gofmt-clean: ${r.stdout.trim().split('\n')[0]}` : firstError(r.all ?? '', dir), ms: Date.now() - started, warnings };
  }
  return { entry, ok: true, ms: Date.now() - started, warnings };
}

const root = mkdtempSync(join(tmpdir(), 'svc-corpus-'));
const results = [];
let next = 0;
async function worker() {
  while (next < entries.length) {
    const entry = entries[next++];
    const r = await one(entry, root);
    results.push(r);
    process.stderr.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.ts.ok ? 'ts ' : 'TS!'} ${(r.ms / 1000).toFixed(1).padStart(6)}s ${entry}${r.ok ? '' : `  [${r.stage}] ${r.message}`}${r.ts.ok || TS_ONLY ? '' : `  [ts] ${r.ts.message}`}\n`);
    if (!KEEP) rmSync(join(root, entry.replace(/[^A-Za-z0-9]+/g, '_')), { recursive: true, force: true });
  }
}
const t0 = Date.now();
await Promise.all(Array.from({ length: JOBS }, worker));

const passed = results.filter((r) => r.ok).length;
console.log(`\n${passed}/${results.length} passed (${((100 * passed) / Math.max(1, results.length)).toFixed(1)} %) in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${results.reduce((n, r) => n + r.warnings, 0)} fallback warnings printed`);
const tsPassed = results.filter((r) => r.ts.ok).length;
console.log(`TS SDK: ${tsPassed}/${results.length} compile (${((100 * tsPassed) / Math.max(1, results.length)).toFixed(1)} %)`);
for (const r of results.filter((x) => !x.ts.ok).slice(0, 10)) console.log(`    ts: ${r.entry}: ${r.ts.message}`);
const groups = new Map();
for (const r of results.filter((x) => !x.ok)) {
  const key = cause(r.stage, r.message);
  groups.set(key, [...(groups.get(key) ?? []), r]);
}
for (const [key, rs] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`\n${rs.length} × ${key}`);
  for (const r of rs.slice(0, 5)) console.log(`    ${r.entry}: ${r.message}`);
}
writeFileSync(join(root, 'results.json'), JSON.stringify(results, null, 2));
console.log(`\ndetails: ${join(root, 'results.json')}`);
if (!KEEP) rmSync(root, { recursive: true, force: true });
