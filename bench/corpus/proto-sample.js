#!/usr/bin/env node
// Writes bench/corpus/proto-sample.txt, the fixed sample of real-world service
// protos the corpus run uses with --list (run `npm run build` first). The
// rule (re-run only to change the sample on purpose), over the .proto files of
// the npm package google-proto-files that declare a service:
//   1. the widely used APIs named below;
//   2. from every API folder (google/cloud/kms/v1, ...) its first service proto
//      in path order, every 12th folder, skipping folders already named.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { LIBRARY_PROTOS } from '../../dist/load/proto.js';

const NAMED = [
  'google/pubsub/v1/pubsub.proto',
  'google/spanner/v1/spanner.proto',
  'google/spanner/admin/database/v1/spanner_database_admin.proto',
  'google/firestore/v1/firestore.proto',
  'google/storage/v2/storage.proto',
  'google/bigtable/v2/bigtable.proto',
  'google/datastore/v1/datastore.proto',
  'google/logging/v2/logging.proto',
  'google/monitoring/v3/metric_service.proto',
  'google/iam/v1/iam_policy.proto',
  'google/longrunning/operations.proto',
  'google/cloud/kms/v1/service.proto',
  'google/cloud/secretmanager/v1/service.proto',
  'google/cloud/tasks/v2/cloudtasks.proto',
  'google/cloud/scheduler/v1/cloudscheduler.proto',
  'google/cloud/run/v2/service.proto',
  'google/cloud/functions/v2/functions.proto',
  'google/cloud/bigquery/storage/v1/storage.proto',
  'google/cloud/translate/v3/translation_service.proto',
  'google/cloud/vision/v1/image_annotator.proto',
  'google/cloud/speech/v1/cloud_speech.proto',
  'google/cloud/texttospeech/v1/cloud_tts.proto',
  'google/cloud/language/v2/language_service.proto',
  'google/cloud/aiplatform/v1/prediction_service.proto',
  'google/container/v1/cluster_service.proto',
];

const files = [];
const walk = (d) => {
  for (const e of readdirSync(d).sort()) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (e.endsWith('.proto') && /^service\s+\w+\s*\{/m.test(readFileSync(p, 'utf8'))) files.push(relative(LIBRARY_PROTOS, p));
  }
};
for (const top of ['google', 'grafeas']) walk(join(LIBRARY_PROTOS, top));

const missing = NAMED.filter((p) => !files.includes(p));
if (missing.length) throw new Error(`named protos not in google-proto-files: ${missing.join(', ')}`);
const chosen = new Set(NAMED);
const namedFolders = new Set(NAMED.map((p) => dirname(p)));
const folders = [...new Set(files.map((p) => dirname(p)))].filter((f) => !namedFolders.has(f));
folders.forEach((folder, i) => {
  if (i % 12 === 0) chosen.add(files.find((p) => dirname(p) === folder));
});
const lines = [...chosen].map((p) => `google-proto-files:${p}`);
writeFileSync(join(import.meta.dirname, 'proto-sample.txt'), `${lines.join('\n')}\n`);
console.log(`${lines.length} protos: ${NAMED.length} named, ${lines.length - NAMED.length} sampled from ${folders.length} API folders (${files.length} service protos in all)`);
