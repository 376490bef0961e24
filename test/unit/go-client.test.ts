import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import type { ServiceModel } from '../../src/model/types.js';
import { GoModel } from '../../src/render/go/gomodel.js';
import { ownClientLayout, renderGoClient } from '../../src/render/go/client.js';
import { renderAPITypes } from '../../src/render/go/api.js';
import { renderClientsConfig, renderOtherClient } from '../../src/render/go/otherclients.js';
import { clientNameOf } from '../../src/pipeline/client.js';
import { readSettings, serializeSettings } from '../../src/project/settings.js';
import { re2Pattern } from '../../src/render/go/validation.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';

const STARTER = readFileSync(new URL('../../fixtures/starter/expected/productproto/openapi/product.yaml', import.meta.url), 'utf8');
const ORDERS = readFileSync(new URL('../../fixtures/orders/openapi.yaml', import.meta.url), 'utf8');
const SETTINGS = { name: 'product', module: 'example.com/product', contract: 'product.yaml', contractKind: 'openapi' as const };

async function modelOf(text: string, name = 'product'): Promise<ServiceModel> {
  return buildModel(await loadContract(`/virtual/${name}.yaml`, 'openapi', text, `${name}.yaml`), name);
}

function client(model: ServiceModel): Map<string, string> {
  const gm = new GoModel(model, SETTINGS);
  return new Map(renderGoClient(gm, ownClientLayout(gm)).map((a) => [a.path, a.content]));
}

/** The text of one method, from its doc comment to its closing brace. */
function method(files: Map<string, string>, name: string): string {
  for (const text of files.values()) {
    const start = text.indexOf(`func (c *Client) ${name}(`);
    if (start >= 0) return text.slice(start, text.indexOf('\n}\n', start) + 2);
  }
  throw new Error(`no method ${name}`);
}

describe('the typed Go client', () => {
  it('takes and returns the types the service uses, one method per operation', async () => {
    const files = client(await modelOf(STARTER));
    expect(method(files, 'GetProduct')).toContain('func (c *Client) GetProduct(ctx context.Context, req api.GetProductRequest) (*models.Product, error) {');
    expect(method(files, 'DeleteProduct')).toContain('func (c *Client) DeleteProduct(ctx context.Context, req api.DeleteProductRequest) error {');
    expect(files.get('pkg/client/client.gen.go')).toContain('func New(cfg httpclient.Config, opts ...httpclient.Option) (*Client, error) {');
  });

  it('escapes path parameters and sends query parameters as the handler reads them', async () => {
    const files = client(await modelOf(STARTER));
    expect(method(files, 'GetProduct')).toMatch(/Path: +"\/products\/" \+ url\.PathEscape\(httpclient\.Format\(req\.ID\)\),/);
    const list = method(files, 'ListProducts');
    expect(list).toContain('q.Set("page_size", httpclient.Format(req.PageSize))');
    expect(list).toContain('if req.PageToken != nil {\n\t\tq.Set("page_token", httpclient.Format(*req.PageToken))\n\t}');
  });

  it('encodes two structured parameters of one operation into variables of their own', async () => {
    const model = await modelOf(STARTER);
    const list = model.operations.find((o) => o.name === 'listProducts')!;
    for (const name of ['filter', 'near']) list.parameters.push({ name, in: 'query', type: { kind: 'named', name: 'ProductInput' }, required: false, constraints: {} });
    const text = method(client(model), 'ListProducts');
    expect(text).toContain('param3, err := httpclient.JSONParam("filter", *req.Filter)');
    expect(text).toContain('param4, err := httpclient.JSONParam("near", *req.Near)');
  });

  it('imports package models only where a method uses it (an enum parameter alone does not)', async () => {
    const model = await modelOf(STARTER);
    const list = model.operations.find((o) => o.name === 'listProducts')!;
    list.parameters.push({ name: 'status', in: 'query', type: { kind: 'named', name: 'ProductStatus' }, required: false, constraints: {} });
    list.success = { status: 204 };
    model.operations = [list];
    const text = [...client(model).values()].find((t) => t.includes('func (c *Client) ListProducts('))!;
    expect(text).toContain('q.Set("status", httpclient.Format(*req.Status))');
    expect(text).not.toContain('/pkg/models"');
  });

  it('retries only what is idempotent, or what the contract says is', async () => {
    const files = client(await modelOf(STARTER));
    expect(method(files, 'GetProduct')).toMatch(/Idempotent: +true/);
    expect(method(files, 'CreateProduct')).not.toContain('Idempotent');
    const marked = client(await modelOf(STARTER.replace('operationId: createProduct', 'operationId: createProduct\n      x-svc-idempotent: true')));
    expect(method(marked, 'CreateProduct')).toMatch(/Idempotent: +true/);
    await expect(modelOf(STARTER.replace('operationId: createProduct', 'operationId: createProduct\n      x-svc-idempotent: "yes"'))).rejects.toThrow(/x-svc-idempotent must be true or false/);
  });

  it('encodes a JSON body as the service checks it, and refuses an unexpected status', async () => {
    const create = method(client(await modelOf(STARTER)), 'CreateProduct');
    expect(create).toContain('body, err := models.EncodeBody(req.Body)');
    expect(create).toContain('if resp.StatusCode != http.StatusCreated {\n\t\treturn nil, resp.Err("createProduct")');
  });

  it('sends a raw body as it is, importing nothing it does not use', async () => {
    const model = await modelOf(STARTER);
    const create = model.operations.find((o) => o.name === 'createProduct')!;
    create.body = { type: { kind: 'scalar', scalar: 'bytes' }, required: true, contentType: 'application/pdf' };
    model.operations = [create];
    const files = client(model);
    const text = method(files, 'CreateProduct');
    expect(text).toContain('call.Body = req.Body\n\tcall.ContentType = "application/pdf"');
    const file = [...files.values()].find((t) => t.includes('func (c *Client) CreateProduct('))!;
    expect(file).not.toContain('"fmt"');
  });

  it('picks the variant of a typed response by status, raw media types before JSON', async () => {
    const files = client(await modelOf(ORDERS, 'orders'));
    const receipt = method(files, 'GetReceipt');
    const pdf = receipt.indexOf('resp.MediaType() == "application/pdf"');
    const json = receipt.indexOf('case resp.StatusCode == http.StatusOK:');
    expect(pdf).toBeGreaterThan(0);
    expect(json).toBeGreaterThan(pdf);
    expect(receipt).toContain('return nil, resp.Err("getReceipt")');
    // The runtime's helpers are imported, not copied into the client.
    expect([...files.keys()].some((p) => p.endsWith('params.gen.go'))).toBe(false);
  });

  it('offers credentials for the schemes a client can present, named once', async () => {
    const model = await modelOf(STARTER);
    model.securitySchemes = [
      { name: 'bearerAuth', kind: 'bearer' },
      { name: 'bearer', kind: 'oauth2' },
      { name: 'key', kind: 'apiKey', in: 'query', param: 'api_key' },
      { name: 'basic', kind: 'basic' },
      { name: 'mtls', kind: 'custom', httpScheme: 'mutualTLS' },
    ];
    model.operations[0]!.security = [[{ scheme: 'bearerAuth', scopes: [] }], [{ scheme: 'key', scopes: [] }, { scheme: 'basic', scopes: [] }]];
    const files = client(model);
    const creds = files.get('pkg/client/credentials.gen.go')!;
    expect(creds).toContain('func BearerAuth(token string) httpclient.Credential {\n\treturn httpclient.Bearer("bearerAuth", token)');
    expect(creds).toContain('func Bearer2Auth(token string) httpclient.Credential {');
    expect(creds).toContain('return httpclient.APIKey("key", "query", "api_key", key)');
    expect(creds).toContain('func BasicAuth(user, password string) httpclient.Credential {');
    expect(creds).not.toContain('mtls');
    expect(method(files, 'CreateProduct')).toMatch(/Security: +\[\]httpclient\.Requirement\{\{"bearerAuth"\}, \{"key", "basic"\}\},/);
  });

  it('moves request and response types to package api', async () => {
    const gm = new GoModel(await modelOf(ORDERS, 'orders'), { ...SETTINGS, name: 'orders' });
    const api = renderAPITypes(gm);
    expect(api.every((a) => a.path.startsWith('pkg/api/') && a.content.includes('\npackage api\n'))).toBe(true);
    expect(api.map((a) => a.content).join('\n')).toContain('type GetReceiptResponse interface {');
  });
});

describe('clients of other services', () => {
  it('writes the other contract\'s models, api and client under internal/client/<name>', async () => {
    const files = new Map(renderOtherClient({ name: 'orders', model: await modelOf(ORDERS, 'orders') }, SETTINGS).map((a) => [a.path, a.content]));
    expect([...files.keys()].filter((p) => !p.startsWith('internal/client/orders/'))).toEqual([]);
    expect(files.get('internal/client/orders/models/request.go')).toContain('func EncodeBody(v any) ([]byte, error) {');
    expect(files.get('internal/client/orders/client.gen.go')).toContain('package orders');
    const orders = [...files.entries()].find(([p, t]) => p.startsWith('internal/client/orders/') && t.includes('func (c *Client) GetReceipt('))![1];
    expect(orders).toContain('"example.com/product/internal/client/orders/api"');
    expect(orders).toContain('"example.com/product/pkg/httpclient"');
    expect(files.get('internal/client/orders/config.gen.go')).toContain('func NewFromConfig(cfg config.Client, opts ...httpclient.Option) (*Client, error) {');
  });

  it('configures each client under clients.<name>, at its in-cluster name by default', () => {
    const none = renderClientsConfig([], 'example.com/product').content;
    expect(none).toContain('type Clients struct{}');
    const two = renderClientsConfig(
      [
        { name: 'user', model: { name: 'user', title: '', version: '', types: [], operations: [], resources: [], warnings: [], securitySchemes: [] } },
        { name: 'payment', model: { name: 'payment', title: '', version: '', types: [], operations: [], resources: [], warnings: [], securitySchemes: [] } },
      ],
      'example.com/product',
    ).content;
    expect(two).toContain('User Client `mapstructure:"user"`');
    expect(two).toMatch(/"payment": +"http:\/\/payment",/);
    expect(two).toContain('if err := c.Payment.validate("clients.payment"); err != nil {');
  });

  it('names a client after its contract file', () => {
    expect(clientNameOf('../user/userproto/openapi/user.yaml')).toBe('user');
    expect(clientNameOf('/x/payment-api.v2.json')).toBe('paymentapi');
    expect(clientNameOf('fixtures/orders/openapi.yaml')).toBe('orders');
    expect(clientNameOf('/work/library/proto/library/v1/library.proto')).toBe('library');
    expect(clientNameOf('/svc/cartproto/openapi/openapi.yaml')).toBe('cart');
  });

  it('reads and keeps clients in svc.yaml, refusing bad names and missing contracts', async () => {
    const base = 'name: product\nmodule: example.com/product\ncontract: {kind: openapi, path: p.yaml}\n';
    const read = (extra: string) => readSettings(new MemoryFileSystem({ 'svc.yaml': base + extra }), '/svc');
    const s = await read('clients:\n  user:\n    contract: ../user/user.yaml\n');
    expect(s.clients).toEqual({ user: { contract: '../user/user.yaml' } });
    expect(serializeSettings(s)).toContain('clients:\n  user:\n    contract: ../user/user.yaml\n');
    await expect(read('clients:\n  User-Svc:\n    contract: u.yaml\n')).rejects.toThrow(/client name "User-Svc" must be lower-case letters and digits/);
    await expect(read('clients:\n  user: {}\n')).rejects.toThrow(/clients\.user\.contract must be the path/);
  });
});

describe('patterns in RE2', () => {
  it('spells ECMA code point escapes as RE2 does, and leaves the rest alone', () => {
    expect(re2Pattern('^[^\\u0000]*$')).toBe('^[^\\x{0000}]*$');
    expect(re2Pattern('^[^/\\u0000]*$')).toBe('^[^/\\x{0000}]*$');
    expect(re2Pattern('\\u{1F600}x')).toBe('\\x{1F600}x');
    // An escaped backslash followed by u is not an escape.
    expect(re2Pattern('\\\\u0041')).toBe('\\\\u0041');
    expect(re2Pattern('^[a-z]+\\d{2}$')).toBe('^[a-z]+\\d{2}$');
  });
});
