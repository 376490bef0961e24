#!/usr/bin/env node
// Is every Go file svc generates gofmt-clean, for every contract of the corpus?
// Generates each contract of bench/corpus/sample.txt and proto-sample.txt in
// process (newService on an in-memory file system, no go mod tidy, no go
// build), writes the .go files of all of them under one folder and runs real
// `gofmt -l` once over it. Prints the contracts and files checked, the ones
// gofmt would change (with the first lines of the diff) and the times.
//
//   npm run build && node bench/corpus/gofmt.js [--only SUBSTRING] [--list FILE]... [--keep]
//
// Exit 1 when a file differs or a contract fails to generate with anything but
// a UserError (a contract svc refuses is counted and listed, not a failure here).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { corpusFile } from '../../dist/devtools/corpus.js';
import { UserError } from '../../dist/errors.js';
import { MemoryFileSystem } from '../../dist/fs/memory.js';
import { LIBRARY_PROTOS } from '../../dist/load/proto.js';
import { newService } from '../../dist/pipeline/new.js';

const args = process.argv.slice(2);
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : '';
const KEEP = args.includes('--keep');
const lists = args.flatMap((a, i) => (a === '--list' ? [args[i + 1]] : []));
const LISTS = lists.length > 0 ? lists : [join(import.meta.dirname, 'sample.txt'), join(import.meta.dirname, 'proto-sample.txt')];

const entries = LISTS.flatMap((list) =>
  readFileSync(list, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && l.includes(ONLY)),
);

/** Generates one contract in memory and writes its .go files under root; returns the number written. */
export async function generateGo(entry, root) {
  const file = corpusFile(entry);
  const fs = new MemoryFileSystem();
  const dir = join(root, entry.replace(/[^A-Za-z0-9]+/g, '_'));
  const contract = entry.endsWith('.proto') ? { proto: file, includes: [LIBRARY_PROTOS] } : { openapi: file };
  await newService({ name: 'svc', module: 'example.com/svc', dir, fs, ...contract });
  let n = 0;
  for (const [path, content] of fs.files) {
    if (!path.endsWith('.go')) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
    n++;
  }
  return n;
}

if (import.meta.main ?? process.argv[1] === import.meta.filename) {
  const root = mkdtempSync(join(tmpdir(), 'svc-gofmt-corpus-'));
  const t0 = Date.now();
  let files = 0;
  let generated = 0;
  const refused = [];
  const crashed = [];
  for (const entry of entries) {
    try {
      files += await generateGo(entry, root);
      generated++;
    } catch (err) {
      (err instanceof UserError ? refused : crashed).push(`${entry}: ${String(err.message ?? err).split('\n')[0]}`);
    }
  }
  const genMs = Date.now() - t0;
  const t1 = Date.now();
  const r = spawnSync('gofmt', ['-l', root], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const fmtMs = Date.now() - t1;
  const differing = r.stdout.split('\n').filter(Boolean);
  console.log(
    `gofmt -l over ${files} Go files of ${generated}/${entries.length} contracts: ${differing.length} differ ` +
      `(generation ${(genMs / 1000).toFixed(1)} s, gofmt ${(fmtMs / 1000).toFixed(1)} s)`,
  );
  if (r.stderr) console.log(r.stderr.trim());
  for (const f of differing.slice(0, 20)) {
    console.log(`\n${f.replace(root, '.')}`);
    console.log(spawnSync('gofmt', ['-d', f], { encoding: 'utf8' }).stdout.split('\n').slice(3, 40).join('\n'));
  }
  for (const x of refused) console.log(`refused: ${x}`);
  for (const x of crashed) console.log(`CRASHED: ${x}`);
  if (KEEP) console.log(`files kept in ${root}`);
  else rmSync(root, { recursive: true, force: true });
  process.exitCode = differing.length > 0 || crashed.length > 0 || r.stderr ? 1 : 0;
}
