#!/usr/bin/env node
// Speed and memory of generating from a large real-world proto, for the
// record: `svc new --proto` then `svc gen api` on Compute Engine's API
// (google/cloud/compute/v1/compute.proto from google-proto-files: 125
// services, 993 RPCs, all with google.api.http bindings). svc's figures
// include protoc and its plugins, which svc runs as child processes; the peak
// RSS is svc's own (Node) process. For comparison the script then times
// protoc + protoc-gen-go + protoc-gen-go-grpc alone on the same file (what a
// Kratos or goctl user runs before their own tool), with its peak RSS.
//   npm run build && node bench/proto.js
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIBRARY_PROTOS } from '../dist/load/proto.js';
import { findTools } from '../dist/tools/protoc.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'svc.js');
const RSS_HOOK = join(import.meta.dirname, 'rss-hook.js');
const CONTRACT = 'google/cloud/compute/v1/compute.proto';

function svc(args, cwd) {
  const rssFile = join(cwd, '.rss');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', RSS_HOOK, BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, SVC_RSS_FILE: rssFile } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`svc ${args.join(' ')}: ${r.stderr}`);
  return { ms, mib: Number(readFileSync(rssFile, 'utf8')) / 1024, out: r.stdout };
}

/** Wall time and peak RSS of any command, from GNU time. */
function timed(cmd, args, cwd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').slice(-2).join(' ') };
  const [secs, kib] = r.stderr.trim().split('\n').pop().split(' ');
  return { ms: Number(secs) * 1000, mib: Number(kib) / 1024 };
}

const fmt = (r) => (r.error ? `failed: ${r.error}` : `${(r.ms / 1000).toFixed(2).padStart(6)} s  ${r.mib.toFixed(0).padStart(5)} MiB`);

const tools = await findTools();
for (const name of ['protoc', 'protoc-gen-go', 'protoc-gen-go-grpc']) {
  if (tools[name].missing) {
    console.error(`${name} is missing: ${tools[name].install} (or run svc doctor --install)`);
    process.exit(1);
  }
}

const work = mkdtempSync(join(tmpdir(), 'svc-bench-proto-'));
try {
  const dir = join(work, 'compute');
  const created = svc(['new', 'compute', '--proto', join(LIBRARY_PROTOS, CONTRACT), '-I', LIBRARY_PROTOS, '--dir', dir, '--yes', '--skip-tidy'], work);
  const services = created.out.split('\n').map((l) => /^\s*service \S+: (\d+) RPCs/.exec(l)).filter(Boolean);
  const summary = `${services.length} services, ${services.reduce((n, m) => n + Number(m[1]), 0)} RPCs`;
  const regenerated = svc(['gen', 'api'], dir);
  console.log(`compute svc new --proto   ${fmt(created)}   (${summary})`);
  console.log(`compute svc gen api       ${fmt(regenerated)}`);

  const out = join(work, 'protoc-out');
  mkdirSync(out);
  const plain = timed(
    tools.protoc.path,
    [
      `--plugin=protoc-gen-go=${tools['protoc-gen-go'].path}`,
      `--plugin=protoc-gen-go-grpc=${tools['protoc-gen-go-grpc'].path}`,
      `-I${LIBRARY_PROTOS}`,
      `--go_out=${out}`,
      `--go-grpc_out=${out}`,
      CONTRACT,
    ],
    work,
  );
  console.log(`compute protoc alone      ${fmt(plain)}   (protoc ${tools.protoc.version}, go and go-grpc plugins; peak RSS of protoc itself)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
