import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureNewOptions } from '../../src/devtools/fixtures.js';
import { DiskFileSystem } from '../../src/fs/disk.js';
import { newService } from '../../src/pipeline/new.js';
import { go, GO_ENV } from '../support/go.js';

/**
 * The errors of a running service whose contract declares its own error
 * schema: the petstore's `default` response, Error{code: int32, message:
 * string}, plus one operation the generator leaves as a stub (501). Every
 * error — from the service, validation, a stub, routing, the media-type
 * check, an unreadable body — must be that body, as application/json.
 */
describe('a service with a contract-declared error schema, built and running', () => {
  let proc: ChildProcess;
  let base = '';
  let port = 0;

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'svc-errors-'));
    const contract = load(readFileSync(join('fixtures', 'petstore', 'openapi.yaml'), 'utf8')) as { paths: Record<string, unknown> };
    contract.paths['/pets/{id}/adopt'] = {
      post: {
        operationId: 'adoptPet',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', format: 'int64' } }],
        responses: {
          '204': { description: 'adopted' },
          default: { description: 'unexpected error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      },
    };
    writeFileSync(join(root, 'openapi.yaml'), dump(contract));
    const dir = join(root, 'pet');
    await newService({ ...fixtureNewOptions('petstore', new DiskFileSystem(dir), dir), cwd: root, openapi: 'openapi.yaml', name: 'pet', module: 'example.com/pet' });
    await go(dir, 'mod', 'tidy');
    await go(dir, 'build', '-o', 'bin/pet', './cmd/pet');
    proc = spawn(join(dir, 'bin', 'pet'), [], { cwd: dir, env: { ...GO_ENV, PET_HTTP_ADDR: '127.0.0.1:0', PET_ADMIN_ADDR: '127.0.0.1:0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = createInterface({ input: proc.stdout! });
    base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no "listening" log line')), 30_000);
      lines.on('line', (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.msg === 'http server listening') {
          clearTimeout(timer);
          resolve(`http://${String(entry.addr)}`);
        }
      });
    });
    port = Number(new URL(base).port);
  }, 600_000);

  afterAll(() => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  });

  const call = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const resp = await fetch(base + path, { method, headers, body });
    return { status: resp.status, headers: resp.headers, text: await resp.text() };
  };

  /** The body is exactly the contract's Error: an integer code equal to the status and a string message, nothing else. */
  const wantError = (resp: { status: number; headers: Headers; text: string }, status: number, message: RegExp) => {
    expect(resp.status, resp.text).toBe(status);
    expect(resp.headers.get('content-type')).toBe('application/json');
    const body = JSON.parse(resp.text) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['code', 'message']);
    expect(body.code).toBe(status);
    expect(body.message).toMatch(message);
  };

  it('answers a missing pet, a validation error and a stub with the declared Error', async () => {
    wantError(await call('GET', '/pets/999'), 404, /999/);
    wantError(await call('POST', '/pets', '{}', { 'Content-Type': 'application/json' }), 400, /name/);
    wantError(await call('GET', '/pets/abc'), 400, /id/);
    wantError(await call('POST', '/pets/7/adopt'), 501, /not implemented/);
  });

  it('answers routing errors with the declared Error, 405 with Allow', async () => {
    wantError(await call('GET', '/nope'), 404, /No route/);
    const wrong = await call('PUT', '/pets');
    wantError(wrong, 405, /PUT/);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('refuses a body in a media type or content coding the operation does not accept with 415', async () => {
    wantError(await call('POST', '/pets', '{"name":"a"}', { 'Content-Type': 'text/plain' }), 415, /text\/plain/);
    wantError(await call('POST', '/pets', '{"name":"a"}', { 'Content-Type': '' }), 415, /Content-Type/);
    const gzip = await call('POST', '/pets', '{"name":"a"}', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    wantError(gzip, 415, /gzip/);
    expect(gzip.headers.get('accept-encoding')).toBe('identity');
    expect((await call('POST', '/pets', '{"name":"a"}', { 'Content-Type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('answers a malformed chunked body with 400, not 500', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end('POST /pets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n');
      });
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/\r\nContent-Type: application\/json\r\n/);
    expect(raw).toContain('{"code":400,"message":"The request body could not be read."}');
  });

  it('caps the client input an error repeats', async () => {
    const resp = await call('GET', `/pets/${'9'.repeat(20_000)}`);
    wantError(resp, 400, /id/);
    expect(resp.text.length).toBeLessThan(600);
  });

  it('answers headers over the limit with 431 in the declared format', async () => {
    wantError(await call('GET', '/pets', undefined, { 'X-Big': 'a'.repeat(70_000) }), 431, /limit/);
  });
});
