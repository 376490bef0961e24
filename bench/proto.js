#!/usr/bin/env node
// Speed and memory of generating from a large real-world proto, for the
// record: `svc new --proto` then `svc gen api` on Compute Engine's API
// (google/cloud/compute/v1/compute.proto from google-proto-files: 125
// services, 993 RPCs, all with google.api.http bindings). svc's figures
// include protoc and its plugins, which svc runs as child processes; the peak
// RSS is svc's own (Node) process. For comparison the script then times
// protoc + protoc-gen-go + protoc-gen-go-grpc alone on the same file (what a
// Kratos or goctl user runs before their own tool), with its peak RSS.
//
// --baseline DIR compares with another build of svc (a folder holding its
// bin/, dist/, templates/ and node_modules): the two are alternated run by
// run and protoc alone is run in each round too; medians and ratios are printed.
//   npm run build && node bench/proto.js [runs] [--baseline DIR]
// Goal: svc new --proto ≤ 1.2× protoc with both plugins alone.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LIBRARY_PROTOS } from '../dist/load/proto.js';
import { findTools } from '../dist/tools/protoc.js';
import { fmt, scratch, svc, timed } from './measure.js';

const CONTRACT = 'google/cloud/compute/v1/compute.proto';

const tools = await findTools();
for (const name of ['protoc', 'protoc-gen-go', 'protoc-gen-go-grpc']) {
  if (tools[name].missing) {
    console.error(`${name} is missing: ${tools[name].install} (or run svc doctor --install)`);
    process.exit(1);
  }
}

const args = process.argv.slice(2);
const at = args.indexOf('--baseline');
const baselineDir = at >= 0 ? args.splice(at, 2)[1] : undefined;
const RUNS = Number(args.find((a) => /^\d+$/.test(a)) ?? 1);
const builds = [{ name: 'svc', bin: undefined }];
if (baselineDir) builds.push({ name: 'baseline', bin: join(resolve(baselineDir), 'bin', 'svc.js') });

/** protoc with both plugins alone on the contract, into a fresh folder under work. */
function protocAlone(work) {
  const out = join(work, 'protoc-out');
  mkdirSync(out);
  return timed(
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
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (rs) => ({ ms: median(rs.map((r) => r.ms)), mib: Math.max(...rs.map((r) => r.mib)) });
const results = { protoc: [] };
for (const b of builds) results[b.name] = { created: [], regenerated: [] };
let summaryLine = '';
for (let run = 0; run < RUNS; run++) {
  const order = run % 2 === 0 ? builds : [...builds].reverse();
  for (const b of order) {
    // Removed when the bench exits (see scratch).
    const work = scratch('svc-bench-proto-');
    const dir = join(work, 'compute');
    const created = svc(['new', 'compute', '--proto', join(LIBRARY_PROTOS, CONTRACT), '-I', LIBRARY_PROTOS, '--dir', dir, '--yes', '--skip-tidy'], work, b.bin);
    const services = created.out.split('\n').map((l) => /^\s*service \S+: (\d+) RPCs/.exec(l)).filter(Boolean);
    summaryLine = `${services.length} services, ${services.reduce((n, m) => n + Number(m[1]), 0)} RPCs`;
    results[b.name].created.push(created);
    results[b.name].regenerated.push(svc(['gen', 'api'], dir, b.bin));
  }
  results.protoc.push(protocAlone(scratch('svc-bench-protoc-')));
}
const plain = summary(results.protoc.filter((r) => !r.error));
for (const [what, key] of [['svc new --proto', 'created'], ['svc gen api', 'regenerated']]) {
  const mine = summary(results.svc[key]);
  let line = `compute ${what.padEnd(16)} ${fmt(mine)}   ${(mine.ms / plain.ms).toFixed(2)}× protoc`;
  if (baselineDir) {
    const base = summary(results.baseline[key]);
    line += `   baseline ${fmt(base)}   ${(base.ms / plain.ms).toFixed(2)}× protoc   ratio ${(mine.ms / base.ms).toFixed(2)}`;
  }
  console.log(`${line}   (median of ${RUNS}${key === 'created' ? `; ${summaryLine}` : ''})`);
}
console.log(`compute protoc alone     ${fmt(plain)}   (protoc ${tools.protoc.version}, go and go-grpc plugins; peak RSS of protoc itself; median of ${RUNS})`);
