import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFile } from '../../src/devtools/corpus.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { LIBRARY_PROTOS } from '../../src/load/proto.js';
import { newService } from '../../src/pipeline/new.js';
import { go, gofmtList } from '../support/go.js';

/**
 * The CI subset of the proto corpus (`node bench/corpus/run.js --list
 * bench/corpus/proto-sample.txt` runs all of it): Google protos that each once
 * broke generation — Spanner (protoc-gen-go output gofmt reflows), KMS (a
 * custom verb on the path of a plain GET), Firestore (a `**` before the end of
 * a path: left out with a warning), AutoML (proto comments gofmt reads as
 * headings) — and Cloud Tasks. Each must generate a service that is
 * gofmt-clean and passes go vet and go build.
 */
const SUBSET = [
  'google-proto-files:google/spanner/v1/spanner.proto',
  'google-proto-files:google/cloud/kms/v1/service.proto',
  'google-proto-files:google/firestore/v1/firestore.proto',
  'google-proto-files:google/cloud/automl/v1/prediction_service.proto',
  'google-proto-files:google/cloud/tasks/v2/cloudtasks.proto',
];

describe.each(SUBSET)('real-world proto %s', (entry) => {
  it('generates a service that gofmt, go vet and go build accept', { timeout: 600_000 }, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'svc-protocorpus-')), 'svc');
    const result = await newService({
      name: 'svc',
      module: 'example.com/svc',
      dir,
      fs: new DiskFileSystem(dir),
      proto: corpusFile(entry),
      includes: [LIBRARY_PROTOS],
      transports: ['http', 'grpc'],
      database: 'memory',
    });
    if (entry.includes('firestore')) expect(result.model.warnings.some((w) => w.includes('rpc ListDocuments: google.api.http GET'))).toBe(true);
    await go(dir, 'mod', 'tidy');
    expect(await gofmtList(dir)).toBe('');
    await go(dir, 'vet', './...');
    await go(dir, 'build', './...');
  });
});
