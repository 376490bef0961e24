import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { operationsOf, properties, resourcesOf } from './support/contract.js';
import { evolve, grpcAddr, GrpcClient, grpcClientSource, Ledger, roundTripGrpc, roundTripHttp, svc, type Step, verifyStep } from './support/evolution.js';
import { go, hasGo } from './support/go.js';
import { call, freshPostgresDatabase, startService } from './support/service.js';
import { findTools } from '../src/tools/protoc.js';
import { addToMessage, addToService, removeRpc, replaceOnce } from './support/prototext.js';
import { addDependency, implementStub, lostCode, write } from './support/userfiles.js';

/**
 * The contract-change loop on the proto starter: a scripted sequence of
 * .proto edits, each followed by `svc gen api`. After every step the tree is
 * gofmt-clean, vets, builds and (at some steps) passes its own tests, the
 * owner's code survives, and every field of every resource round-trips
 * create → get → list → update over the REST gateway and over gRPC, on SQLite
 * (and PostgreSQL when DATABASE_URL is set). The request bodies come from the
 * OpenAPI document svc derives from the proto (productproto/openapi/), so
 * added fields are covered without naming them.
 */

const PROTO = 'productproto/product.proto';
const DERIVED = 'productproto/openapi/product.yaml';
const PKG = 'product.v1';
const STUB = (rpc: string) => `internal/service/product_service_${rpc}.go`;

const PRICING_GO = `package service

// Pricer turns net prices into gross ones: a rule of this shop, written by
// hand beside the generated code.
type Pricer struct {
	vatPercent int64
}

// NewPricer returns a Pricer that adds vatPercent VAT.
func NewPricer(vatPercent int64) *Pricer {
	return &Pricer{vatPercent: vatPercent}
}

// Gross is net plus VAT, in minor units, rounded down.
func (p *Pricer) Gross(net int64) int64 {
	return net * (100 + p.vatPercent) / 100
}
`;

const QUOTE_MARK = '// evolution: hand-written quote';
const ARCHIVE_MARK = '// evolution: hand-written archive';
const PB = 'example.com/product/productproto';


const implementQuote = (dir: string) => {
  implementStub(
    dir,
    STUB('quote_product'),
    'QuoteProduct',
    ['context', '', PB],
    "// QuoteProduct answers the product's price with VAT.",
    `\t${QUOTE_MARK}\n\tproduct, err := s.GetProduct(ctx, &productpb.GetProductRequest{Name: req.GetName()})\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn &productpb.Quote{NetMinor: product.GetPriceMinor(), GrossMinor: s.pricer.Gross(product.GetPriceMinor()), Currency: product.GetCurrency()}, nil`,
  );
  return { action: '(chosen) implemented the new stub product_service_quote_product.go' };
};

const ARCHIVE_BODY = `\t${ARCHIVE_MARK}\n\tproduct, err := s.GetProduct(ctx, &productpb.GetProductRequest{Name: req.GetName()})\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\tproduct.Status = productpb.Product_STATUS_ARCHIVED\n\treturn s.UpdateProduct(ctx, &productpb.UpdateProductRequest{Product: product})`;

const SHELF = `
// A shelf of the shop.
message Shelf {
  // Resource name, \`shelves/{id}\`; assigned by the server.
  string name = 1 [(google.api.field_behavior) = IDENTIFIER];
  string display_name = 2 [(google.api.field_behavior) = REQUIRED];
  int32 position = 3;
  bool visible = 4;
  google.protobuf.Timestamp create_time = 5 [(google.api.field_behavior) = OUTPUT_ONLY];
  google.protobuf.Timestamp update_time = 6 [(google.api.field_behavior) = OUTPUT_ONLY];
}

message CreateShelfRequest {
  Shelf shelf = 1 [(google.api.field_behavior) = REQUIRED];
}

message GetShelfRequest {
  string name = 1 [(google.api.field_behavior) = REQUIRED];
}

message ListShelvesRequest {
  int32 page_size = 1;
  string page_token = 2;
}

message ListShelvesResponse {
  repeated Shelf shelves = 1;
  string next_page_token = 2;
}

message UpdateShelfRequest {
  Shelf shelf = 1 [(google.api.field_behavior) = REQUIRED];
  google.protobuf.FieldMask update_mask = 2;
}

message DeleteShelfRequest {
  string name = 1 [(google.api.field_behavior) = REQUIRED];
}
`;

const SHELF_RPCS = `// Creates a shelf.
rpc CreateShelf(CreateShelfRequest) returns (Shelf) {
  option (google.api.http) = {
    post: "/v1/shelves"
    body: "shelf"
  };
}

// Gets a shelf.
rpc GetShelf(GetShelfRequest) returns (Shelf) {
  option (google.api.http) = {get: "/v1/{name=shelves/*}"};
}

// Lists shelves.
rpc ListShelves(ListShelvesRequest) returns (ListShelvesResponse) {
  option (google.api.http) = {get: "/v1/shelves"};
}

// Updates a shelf.
rpc UpdateShelf(UpdateShelfRequest) returns (Shelf) {
  option (google.api.http) = {
    patch: "/v1/{shelf.name=shelves/*}"
    body: "shelf"
  };
}

// Deletes a shelf.
rpc DeleteShelf(DeleteShelfRequest) returns (google.protobuf.Empty) {
  option (google.api.http) = {delete: "/v1/{name=shelves/*}"};
}`;

/** A step whose edit rewrites the proto's text. */
type ProtoStep = Omit<Step, 'change'> & { change(proto: string): string };

const EDITS: ProtoStep[] = [
  {
    edit: 'add an RPC: QuoteProduct GET /v1/{name=products/*}:quote',
    change: (p) =>
      addToService(p, 'ProductService', '// Quotes a product with VAT.\nrpc QuoteProduct(QuoteProductRequest) returns (Quote) {\n  option (google.api.http) = {get: "/v1/{name=products/*}:quote"};\n}') +
      '\nmessage QuoteProductRequest {\n  string name = 1 [(google.api.field_behavior) = REQUIRED];\n}\n\n// A price with VAT.\nmessage Quote {\n  int64 net_minor = 1;\n  int64 gross_minor = 2;\n  string currency = 3;\n}\n',
    user: implementQuote,
  },
  { edit: 'add an optional field: sku', change: (p) => addToMessage(p, 'Product', '// Stock-keeping unit.', 'string sku = 10;') },
  { edit: 'add a required field: stock', change: (p) => addToMessage(p, 'Product', 'int32 stock = 11 [(google.api.field_behavior) = REQUIRED];') },
  {
    edit: 'add a nested message field: dimensions',
    change: (p) => addToMessage(p, 'Product', 'Dimensions dimensions = 12;') + '\n// Outer size in centimetres.\nmessage Dimensions {\n  double width_cm = 1;\n  double height_cm = 2;\n  double depth_cm = 3;\n}\n',
  },
  { edit: 'add a repeated field: sizes', change: (p) => addToMessage(p, 'Product', 'repeated int32 sizes = 13;') },
  { edit: 'add an enum value: STATUS_DISCONTINUED', change: (p) => replaceOnce(p, '    STATUS_ARCHIVED = 2;\n', '    STATUS_ARCHIVED = 2;\n    // Never sold again.\n    STATUS_DISCONTINUED = 3;\n') },
  { edit: 'add a resource: Shelf (5 standard methods)', change: (p) => addToService(p, 'ProductService', SHELF_RPCS) + SHELF },
  {
    edit: 'add an RPC: ArchiveProduct POST /v1/{name=products/*}:archive',
    change: (p) =>
      addToService(p, 'ProductService', '// Takes a product off sale.\nrpc ArchiveProduct(ArchiveProductRequest) returns (Product) {\n  option (google.api.http) = {\n    post: "/v1/{name=products/*}:archive"\n    body: "*"\n  };\n}') +
      '\nmessage ArchiveProductRequest {\n  string name = 1 [(google.api.field_behavior) = REQUIRED];\n}\n',
    user: (dir) => {
      implementStub(dir, STUB('archive_product'), 'ArchiveProduct', ['context', '', PB], '// ArchiveProduct takes a product off sale.', ARCHIVE_BODY);
      return { action: '(chosen) implemented the new stub product_service_archive_product.go' };
    },
  },
  {
    edit: 'rename an RPC: ArchiveProduct → RetireProduct (same types)',
    change: (p) => replaceOnce(p, 'rpc ArchiveProduct(', 'rpc RetireProduct('),
    recover: (dir) => {
      const old = STUB('archive_product');
      if (!existsSync(join(dir, old))) return undefined;
      implementStub(dir, STUB('retire_product'), 'RetireProduct', ['context', '', PB], '// RetireProduct takes a product off sale.', ARCHIVE_BODY);
      rmSync(join(dir, old));
      return 'moved the body of the ArchiveProduct stub into the RetireProduct one and deleted the old file';
    },
  },
  { edit: "change a field's type: stock int32 → int64", change: (p) => replaceOnce(p, 'int32 stock = 11', 'int64 stock = 11') },
  { edit: 'remove a field: sku (number reserved)', change: (p) => replaceOnce(p, '  // Stock-keeping unit.\n  string sku = 10;\n', '  reserved 10;\n') },
  { edit: 'change a path: :quote → :priceQuote', change: (p) => replaceOnce(p, '"/v1/{name=products/*}:quote"', '"/v1/{name=products/*}:priceQuote"') },
  {
    edit: 'remove an RPC: RetireProduct',
    change: (p) => removeRpc(p, 'RetireProduct'),
    user: (dir, run) => {
      const file = STUB('retire_product');
      if (run.code !== 0 && run.output.includes(file) && existsSync(join(dir, file))) {
        rmSync(join(dir, file));
        return { action: `deleted ${file}, as svc said` };
      }
      return undefined;
    },
    recover: (dir, problems) => {
      // Only when the kept stub of the removed operation is what breaks the build.
      const file = STUB('retire_product');
      if (!existsSync(join(dir, file)) || !problems.some((p) => p.startsWith('go build') && p.includes(file))) return undefined;
      rmSync(join(dir, file));
      return `deleted ${file}`;
    },
  },
];

const STEPS: Step[] = EDITS.map((e) => ({
  ...e,
  change: (dir: string) => writeFileSync(join(dir, PROTO), e.change(readFileSync(join(dir, PROTO), 'utf8'))),
}));

/** The fields of Product the steps add, by the step that adds them and the one that removes them. */
const ADDED: [string, number, number][] = [
  ['sku', 2, 11],
  ['stock', 3, 99],
  ['dimensions', 4, 99],
  ['sizes', 5, 99],
];

const tools = await findTools();
const canGenerate = hasGo() && !tools.protoc.missing && !tools['protoc-gen-go'].missing && !tools['protoc-gen-go-grpc'].missing;

describe.skipIf(!canGenerate)('contract evolution: the proto starter through 13 edits, each followed by svc gen api', () => {
  let base = '';
  let dir = '';
  let pg: string | undefined;
  const ledger = new Ledger('proto starter evolution');
  const started = Date.now();

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'svc-evolution-proto-'));
    const made = svc(base, 'new', 'product', '--proto', '--skip-tidy', '--yes');
    if (made.code !== 0) throw new Error(`svc new --proto failed: ${made.output}`);
    dir = join(base, 'product');
    // The test's gRPC client, a program of the owner's: it calls RPCs by name with JSON.
    mkdirSync(join(dir, 'cmd', 'evoclient'), { recursive: true });
    write(dir, 'cmd/evoclient/main.go', grpcClientSource(PB));
    await go(dir, 'mod', 'tidy');
    pg = freshPostgresDatabase('svc_evolution_proto');
  }, 600_000);

  afterAll(() => {
    console.log(`${ledger.table()}\ntotal ${((Date.now() - started) / 1000).toFixed(0)}s${pg ? ' (SQLite and PostgreSQL)' : ' (SQLite only: DATABASE_URL is not set)'}`);
  });

  const survivors = (step: number): string[] => {
    const problems = lostCode(dir, [
      { path: 'internal/service/pricing.go', equals: PRICING_GO },
      { path: 'internal/service/service.go', contains: ['pricer', 'NewPricer(20)'] },
      { path: 'cmd/evoclient/main.go', contains: ['dynamicpb'] },
      ...(step >= 1 ? [{ path: STUB('quote_product'), contains: [QUOTE_MARK] }] : []),
      ...(step >= 8 && step < 13 ? [{ path: STUB(step >= 9 ? 'retire_product' : 'archive_product'), contains: [ARCHIVE_MARK] }] : []),
    ]);
    // The derived document the round-trip reads must carry the contract's fields.
    const doc = parse(readFileSync(join(dir, DERIVED), 'utf8')) as Record<string, unknown>;
    const fields = properties(doc, { $ref: `#/components/schemas/${PKG}.Product` }).map(([k]) => k);
    for (const [field, from, to] of ADDED) {
      if (step >= from && step < to && !fields.includes(field)) problems.push(`${DERIVED}: Product lacks ${field}`);
      if (step >= to && fields.includes(field)) problems.push(`${DERIVED}: Product still has ${field}`);
    }
    return problems;
  };

  const exercise = async (step: number, db: string, env: Record<string, string>): Promise<string[]> => {
    const doc = parse(readFileSync(join(dir, DERIVED), 'utf8')) as Record<string, unknown>;
    const resources = resourcesOf(doc);
    const problems: string[] = [];
    const expected = ['/v1/products', ...(step >= 7 ? ['/v1/shelves'] : [])];
    if (resources.map((r) => r.collection).join() !== expected.join()) problems.push(`the test finds the resources ${resources.map((r) => r.collection).join()}, want ${expected.join()}`);
    const running = await startService(join(dir, 'bin', 'product'), dir, { ...env, PRODUCT_GRPC_ADDR: '127.0.0.1:0' });
    const client = new GrpcClient(join(dir, 'bin', 'evoclient'), await grpcAddr(running));
    try {
      const rt = await roundTripHttp(doc, running.base, resources, step * 7 + 3, { proto: true });
      problems.push(...rt.problems.map((p) => `${db}: ${p}`));
      problems.push(...(await roundTripGrpc(doc, client, PKG, resources, step * 7 + 3)).map((p) => `${db}: ${p}`));

      const product = rt.items.get('/v1/products');
      const ops = operationsOf(doc);
      const quote = ops.get('ProductService_QuoteProduct');
      if (step >= 1 && !quote) problems.push(`${DERIVED}: no ProductService_QuoteProduct`);
      if (quote && product) {
        const id = String(product.name).split('/').pop()!;
        const net = Number(product.priceMinor);
        const want = { netMinor: String(net), grossMinor: String(Math.trunc((net * 120) / 100)), currency: product.currency };
        const q = await call(running.base, 'GET', quote.path.replace(/\{[^}]+\}/, id));
        if (q.status !== 200 || JSON.stringify(q.json) !== JSON.stringify(want)) problems.push(`${db}: GET ${quote.path}: ${q.status} ${q.text}, want ${JSON.stringify(want)} (the hand-written quote)`);
        const g = await client.invoke(`/${PKG}.ProductService/QuoteProduct`, { name: product.name });
        if (JSON.stringify(g.response) !== JSON.stringify(want)) problems.push(`${db}: gRPC QuoteProduct: ${JSON.stringify(g)}, want ${JSON.stringify(want)} (the hand-written quote)`);
      }
      const archive = ops.get('ProductService_ArchiveProduct') ?? ops.get('ProductService_RetireProduct');
      if (archive && product) {
        const id = String(product.name).split('/').pop()!;
        const a = await call(running.base, archive.method, archive.path.replace(/\{[^}]+\}/, id), {});
        const after = await call(running.base, 'GET', `/v1/products/${id}`);
        if (a.status !== 200 || a.json?.status !== 'STATUS_ARCHIVED' || after.json?.status !== 'STATUS_ARCHIVED') problems.push(`${db}: ${archive.method} ${archive.path}: ${a.status} ${a.text}; then GET: ${after.text} (want STATUS_ARCHIVED: the hand-written archive)`);
      }
    } finally {
      client.close();
      const code = await running.stop();
      if (code !== 0) problems.push(`${db}: the service exited ${code} on SIGTERM`);
    }
    return problems;
  };

  const verify = (step: number) =>
    verifyStep(dir, survivors(step), (db, env) => exercise(step, db, env), join(base, 'evolution.db'), pg);

  it("step 0: the proto starter, with the owner's own file and dependency", { timeout: 600_000 }, async () => {
    const since = Date.now();
    write(dir, 'internal/service/pricing.go', PRICING_GO);
    addDependency(dir, 'pricer', '*Pricer', 'NewPricer(20)');
    const { problems, checks } = await verify(0);
    ledger.record('0', 'svc new product --proto; owner adds pricing.go and a Service dependency', '0', "(chosen) the owner's own code", checks, problems, since);
    expect(problems).toEqual([]);
  });

  STEPS.forEach((step, i) => {
    const n = i + 1;
    it(`step ${n}: ${step.edit}`, { timeout: 600_000 }, async () => {
      expect(await evolve(dir, n, step, verify, ledger)).toEqual([]);
    });
  });
});
