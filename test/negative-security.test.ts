import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UserError } from '../src/errors.js';
import { DiskFileSystem } from '../src/fs/disk.js';
import { genApi } from '../src/pipeline/gen.js';
import { newService } from '../src/pipeline/new.js';
import { findTools } from '../src/tools/protoc.js';

const tools = await findTools();
const canGenerate = !tools.protoc.missing && !tools['protoc-gen-go'].missing && !tools['protoc-gen-go-grpc'].missing;

/** Every file under dir, by path relative to it, with its text. */
function snapshot(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => statSync(join(dir, p)).isFile());
  return new Map(files.sort().map((p) => [p, readFileSync(join(dir, p), 'utf8')]));
}

const SECURITY = `security:
  schemes:
    bearerAuth: {type: http, scheme: bearer, bearerFormat: JWT}
  default:
    - bearerAuth: []
  rpcs:
    ProductService.GetProduct: []
    ProductService.DeleteProduct:
      - bearerAuth: [products.delete]
`;

/**
 * A proto service's security comes from svc.yaml: `svc gen api` reads the
 * section, keeps it in the svc.yaml it writes back, and documents it in the
 * derived OpenAPI; a mistake in it is one line, and nothing is written.
 */
describe.skipIf(!canGenerate)('svc.yaml security of a proto service', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
  async function service(): Promise<string> {
    const root = mkdtempSync(join(tmpdir(), 'svc-sec-'));
    roots.push(root);
    const dir = join(root, 'product');
    await newService({ name: 'product', dir, fs: new DiskFileSystem(dir), proto: true, transports: ['http', 'grpc'], database: 'memory', tidy: async () => ({ ok: true }) });
    return dir;
  }
  const derived = (dir: string) => {
    const name = readdirSync(join(dir, 'productproto', 'openapi')).find((f) => f.endsWith('.yaml'))!;
    return parse(readFileSync(join(dir, 'productproto', 'openapi', name), 'utf8')) as { components: Record<string, unknown>; paths: Record<string, Record<string, { operationId: string; security?: unknown }>> };
  };

  it('is read by gen api, kept in svc.yaml, and documented in the derived OpenAPI', async () => {
    const dir = await service();
    expect(derived(dir).components.securitySchemes).toBeUndefined();
    writeFileSync(join(dir, 'svc.yaml'), readFileSync(join(dir, 'svc.yaml'), 'utf8') + SECURITY);
    await genApi({ dir, fs: new DiskFileSystem(dir) });
    expect((parse(readFileSync(join(dir, 'svc.yaml'), 'utf8')) as { security: unknown }).security).toEqual(parse(SECURITY).security);
    const doc = derived(dir);
    expect(doc.components.securitySchemes).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } });
    const ops = Object.fromEntries(Object.values(doc.paths).flatMap((item) => Object.values(item).map((o) => [o.operationId, o.security])));
    expect(ops.ProductService_GetProduct).toEqual([]);
    expect(ops.ProductService_ListProducts).toEqual([{ bearerAuth: [] }]);
    expect(ops.ProductService_DeleteProduct).toEqual([{ bearerAuth: [] }]);
  });

  it.each([
    ['an RPC the contract lacks', SECURITY.replace('ProductService.GetProduct', 'ProductService.Frobnicate'), 'svc.yaml: security.rpcs: "ProductService.Frobnicate" is not an RPC of the contract (its RPCs: ProductService.CreateProduct, ProductService.GetProduct, ProductService.ListProducts, ProductService.UpdateProduct, ProductService.DeleteProduct)'],
    ['an unknown scheme type', SECURITY.replace('type: http, scheme: bearer', 'type: jwt'), 'svc.yaml: security.schemes.bearerAuth.type: security scheme "bearerAuth" has an unknown type "jwt" (known: apiKey, http, mutualTLS, oauth2, openIdConnect)'],
    ['an undeclared scheme', SECURITY.replace('- bearerAuth: [products.delete]', '- key: []'), 'svc.yaml: security.rpcs["ProductService.DeleteProduct"][0].key: security requirement names the scheme "key", which security.schemes does not declare (declared: bearerAuth)'],
  ])('refuses %s with one line and writes nothing', async (_what, section, want) => {
    const dir = await service();
    writeFileSync(join(dir, 'svc.yaml'), readFileSync(join(dir, 'svc.yaml'), 'utf8') + section);
    const before = snapshot(dir);
    const err = await genApi({ dir, fs: new DiskFileSystem(dir) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).format()).toBe(want);
    expect(snapshot(dir)).toEqual(before);
  });
});
