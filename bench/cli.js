#!/usr/bin/env node
// Prints the wall time and peak memory (max RSS) of the svc CLI, for the record:
//   svc --version
//   svc new product --skip-tidy     (generation alone)
//   svc new product                 (with go mod tidy, warm module cache)
// Each is run RUNS times (default 5) in fresh temporary folders; the median
// wall time and the largest peak RSS are printed. Peak RSS is the svc (node)
// process's own; go's child processes are not included.
// Usage: npm run build && node bench/cli.js [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.argv[2] ?? 5);
const BIN = join(import.meta.dirname, '..', 'bin', 'svc.js');
const RSS_HOOK = join(import.meta.dirname, 'rss-hook.js');

function once(args, cwd) {
  const rssFile = join(cwd, '.rss');
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', RSS_HOOK, BIN, ...args], {
    cwd,
    env: { ...process.env, SVC_RSS_FILE: rssFile },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`svc ${args.join(' ')} failed:\n${r.stderr}`);
  const rssKiB = Number(readFileSync(rssFile, 'utf8'));
  return { ms, rssKiB };
}

function measure(label, args) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-bench-'));
    try {
      samples.push(once(args, cwd));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const peak = Math.max(...samples.map((s) => s.rssKiB));
  console.log(`${label.padEnd(34)} median ${median.toFixed(0).padStart(6)} ms   min ${times[0].toFixed(0).padStart(6)} ms   peak RSS ${(peak / 1024).toFixed(1).padStart(6)} MiB`);
}

console.log(`svc CLI benchmark: ${RUNS} runs each, node ${process.version}`);
measure('svc --version', ['--version']);
measure('svc new product --skip-tidy', ['new', 'product', '--yes', '--skip-tidy']);
measure('svc new product (go mod tidy)', ['new', 'product', '--yes']);
