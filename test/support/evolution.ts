import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { execa } from 'execa';
import { GO_ENV } from './go.js';
import { differences, example, missingRequired, resolve, type Dialect, type ResourceApi, type Schema } from './contract.js';
import { call, type RunningService } from './service.js';

/**
 * The machinery of the contract-evolution tests: run svc as a user does,
 * check the Go tree, round-trip every resource over HTTP (and gRPC), and keep
 * a ledger of what each step needed.
 */

const SVC = join(import.meta.dirname, '..', '..', 'bin', 'svc.js');

export interface SvcRun {
  code: number;
  /** stdout and stderr together. */
  output: string;
}

/** Runs the svc CLI (bin/svc.js, the built dist/) in cwd, never prompting. */
export function svc(cwd: string, ...args: string[]): SvcRun {
  const r = spawnSync(process.execPath, [SVC, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 300_000 });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** Runs a command in dir and describes its failure, or returns undefined. */
async function check(dir: string, cmd: string, args: string[]): Promise<string | undefined> {
  const r = await execa(cmd, args, { cwd: dir, env: GO_ENV, reject: false, all: true });
  if (r.exitCode === 0) return undefined;
  const out = (r.all ?? '').split('\n').slice(0, 40).join('\n');
  return `${cmd} ${args.join(' ')} failed (exit ${r.exitCode}):\n${out}`;
}

/**
 * gofmt -l (empty), go vet, go build of every command into bin/, and the
 * service's own `go test ./...`. Returns the problems and which checks ran.
 */
export async function goChecks(dir: string): Promise<{ problems: string[]; ran: string; built: boolean }> {
  const problems: string[] = [];
  const fmt = await execa('gofmt', ['-l', '.'], { cwd: dir, env: GO_ENV, reject: false, all: true });
  if (fmt.exitCode !== 0 || fmt.stdout.trim()) problems.push(`gofmt -l: ${fmt.all}`);
  const build = await check(dir, 'go', ['build', '-o', 'bin/', './cmd/...']);
  if (build) problems.push(build);
  const vet = await check(dir, 'go', ['vet', './...']);
  if (vet) problems.push(vet);
  if (!build) {
    // No -count=1: go's test cache re-runs exactly the packages whose files,
    // dependencies, environment or files read changed since the last step, and
    // replays the result of the rest (the runtime packages an edit of the
    // contract does not reach).
    const t = await check(dir, 'go', ['test', './...']);
    if (t) problems.push(t);
  }
  return { problems, ran: 'fmt+vet+build+test', built: !build };
}

/** One row of the summary the tests print at the end. */
export interface LedgerRow {
  step: string;
  edit: string;
  svcExit: string;
  userAction: string;
  checks: string;
  outcome: string;
  seconds: number;
}

export class Ledger {
  readonly rows: LedgerRow[] = [];
  constructor(readonly title: string) {}

  /** Adds a row: outcome "ok", or the number of problems and the first one's first line. */
  record(step: string, edit: string, svcExit: string, userAction: string, checks: string, problems: string[], since: number): void {
    this.rows.push({ step, edit, svcExit, userAction, checks, outcome: problems.length ? `FAIL ${problems.length}: ${problems[0]!.split('\n')[0]}` : 'ok', seconds: (Date.now() - since) / 1000 });
  }

  /** A plain-text table: step, edit, svc's exit code, the user's action, the checks, the outcome. */
  table(): string {
    const head: LedgerRow = { step: 'step', edit: 'edit', svcExit: 'svc', userAction: 'user action', checks: 'checks', outcome: 'outcome', seconds: 0 };
    const cells = (r: LedgerRow) => [r.step, r.edit, String(r.svcExit), r.userAction, r.checks, r === head ? 'secs' : r.seconds.toFixed(0), r.outcome];
    const all = [head, ...this.rows].map(cells);
    const widths = all[0]!.map((_, i) => Math.min(60, Math.max(...all.map((c) => c[i]!.length))));
    const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.slice(0, widths[i]).padEnd(widths[i]!))).join(' | ');
    const failed = this.rows.filter((r) => r.outcome !== 'ok').length;
    const named = this.rows.filter((r) => /as svc said/.test(r.userAction)).map((r) => r.step);
    const byHand = this.rows.filter((r) => /by hand/.test(r.userAction)).map((r) => r.step);
    return [
      `${this.title}: ${this.rows.length} steps, ${failed} failed; a user action svc named at step(s) [${named.join(', ')}]; repaired by hand after a failure at step(s) [${byHand.join(', ')}]`,
      line(cells(head)),
      ...all.slice(1).map(line),
    ].join('\n');
  }
}

/** The gRPC listener's address from the service's log, once it is there. */
export async function grpcAddr(svc: RunningService): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const line = svc.logs.find((l) => l.msg === 'grpc server listening');
    if (line) return String(line.addr);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no "grpc server listening" log line; logs: ${JSON.stringify(svc.logs)}`);
}

/**
 * A gRPC client that calls methods by name with protojson requests: the Go
 * program GRPC_CLIENT_SOURCE, built into the service's bin/, talking JSON
 * lines over stdin and stdout.
 */
export class GrpcClient {
  private readonly proc;
  private readonly replies: string[] = [];
  private waiting: ((line: string) => void) | undefined;

  constructor(bin: string, addr: string) {
    this.proc = spawn(bin, [addr], { env: GO_ENV, stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.replies.push(line);
    });
  }

  /** Calls `/pkg.Service/Method` with request and optional metadata; the response's protojson, or `{ error }`. */
  async invoke(method: string, request: unknown, metadata?: Record<string, string>): Promise<{ response?: Record<string, unknown>; error?: string }> {
    this.proc.stdin!.write(`${JSON.stringify({ method, request, ...(metadata ? { metadata } : {}) })}\n`);
    const line = this.replies.shift() ?? (await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method}`)), 20_000);
      this.waiting = (l) => {
        clearTimeout(timer);
        resolve(l);
      };
    }));
    return JSON.parse(line) as { response?: Record<string, unknown>; error?: string };
  }

  close(): void {
    this.proc.stdin!.end();
  }
}

/**
 * The contract-evolution tests' gRPC client: calls RPCs by full method name
 * with dynamic messages described by the service's generated package (imported
 * for its registrations), reading one `{"method","request"}` JSON line per call
 * and writing one `{"response"}` or `{"error"}` line back.
 */
export function grpcClientSource(pbImport: string): string {
  return `package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	_ "${pbImport}"
)

type reply struct {
	Response json.RawMessage \`json:"response,omitempty"\`
	Error    string          \`json:"error,omitempty"\`
}

func main() {
	conn, err := grpc.NewClient(os.Args[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer conn.Close()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c struct {
			Method   string            \`json:"method"\`
			Request  json.RawMessage   \`json:"request"\`
			Metadata map[string]string \`json:"metadata"\`
		}
		var r reply
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			r.Error = err.Error()
		} else if resp, err := invoke(conn, c.Method, c.Request, c.Metadata); err != nil {
			r.Error = err.Error()
		} else {
			r.Response = resp
		}
		if err := out.Encode(r); err != nil {
			os.Exit(1)
		}
	}
}

// invoke calls method (/pkg.Service/Rpc) with request, protojson in and out.
func invoke(conn *grpc.ClientConn, method string, request []byte, meta map[string]string) (json.RawMessage, error) {
	service, rpc, _ := strings.Cut(strings.TrimPrefix(method, "/"), "/")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(service))
	if err != nil {
		return nil, err
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok || sd.Methods().ByName(protoreflect.Name(rpc)) == nil {
		return nil, fmt.Errorf("no method %s", method)
	}
	md := sd.Methods().ByName(protoreflect.Name(rpc))
	req := dynamicpb.NewMessage(md.Input())
	if err := protojson.Unmarshal(request, req); err != nil {
		return nil, err
	}
	resp := dynamicpb.NewMessage(md.Output())
	ctx, cancel := context.WithTimeout(metadata.NewOutgoingContext(context.Background(), metadata.New(meta)), 10*time.Second)
	defer cancel()
	if err := conn.Invoke(ctx, method, req, resp); err != nil {
		return nil, err
	}
	return protojson.Marshal(resp)
}
`;
}

/** How the test expects the service's own code to change what it stores, per resource: e.g. a tag the user's create adds. */
export type Expect = (resource: ResourceApi, sent: Record<string, unknown>) => Record<string, unknown>;

/** The property that identifies an item: the item path's parameter when the schema has it, else `name` (AIP) or `id`. */
export function idKeyOf(doc: Record<string, unknown>, r: ResourceApi, dialect: Dialect): string {
  const props = (resolve(doc, r.schema).properties ?? {}) as Record<string, Schema>;
  if (props[r.param]) return r.param;
  return dialect.proto && props.name ? 'name' : 'id';
}

/** The item path's parameter value for an item: its id, or the last segment of its resource name. */
function keyOf(item: Record<string, unknown>, idKey: string, dialect: Dialect): string {
  const v = String(item[idKey]);
  return dialect.proto ? v.slice(v.lastIndexOf('/') + 1) : v;
}

/** A request body for r from schema: every settable field, never the identifier. */
function bodyFor(doc: Record<string, unknown>, schema: Schema, variant: 1 | 2, salt: number, idKey: string, label: string): Record<string, unknown> {
  const body = example(doc, schema, variant, salt, label) as Record<string, unknown>;
  delete body[idKey];
  return body;
}

/** The fields an update keeps: created's settable fields the update did not send. */
function kept(doc: Record<string, unknown>, r: ResourceApi, created: Record<string, unknown>, sent: Record<string, unknown>): Record<string, unknown> {
  const props = (resolve(doc, r.schema).properties ?? {}) as Record<string, Schema>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(created)) {
    const p = props[k];
    if (k in sent || !p || resolve(doc, p).readOnly || p.readOnly) continue;
    out[k] = v;
  }
  return { ...out, ...sent };
}

/** Pages through a list until the item with key shows up. */
async function findListed(
  page: (token: string | undefined) => Promise<{ items?: Record<string, unknown>[]; next?: string; problem?: string }>,
  idKey: string,
  id: unknown,
): Promise<{ item?: Record<string, unknown>; problem?: string }> {
  let token: string | undefined;
  for (let n = 0; n < 100; n++) {
    const p = await page(token);
    if (p.problem) return { problem: p.problem };
    const item = (p.items ?? []).find((i) => i[idKey] === id);
    if (item) return { item };
    if (!p.next) return { problem: `not listed (looked through ${n + 1} page(s))` };
    token = p.next;
  }
  return { problem: 'not listed in 100 pages' };
}

/**
 * Create → get → list → update → get over HTTP for every resource, with
 * bodies written from the contract's schemas; every field sent must come back
 * and every field read must read the same everywhere. Returns the problems
 * (empty when all round-trips hold) and the created items by collection.
 */
export async function roundTripHttp(
  doc: Record<string, unknown>,
  base: string,
  resources: ResourceApi[],
  salt: number,
  dialect: Dialect,
  expectOf: Expect = (_, sent) => sent,
): Promise<{ problems: string[]; items: Map<string, Record<string, unknown>> }> {
  const problems: string[] = [];
  const items = new Map<string, Record<string, unknown>>();
  for (const r of resources) {
    const idKey = idKeyOf(doc, r, dialect);
    const tag = (what: string) => `HTTP ${what} ${r.collection}`;
    const body = bodyFor(doc, r.create, 1, salt, idKey, r.collection.split('/').pop()!);
    const created = await call(base, 'POST', r.collection, body);
    if (created.status !== 201 && created.status !== 200) {
      problems.push(`${tag('create')}: ${created.status} ${created.text.slice(0, 300)} (sent ${JSON.stringify(body)})`);
      continue;
    }
    const c = created.json!;
    differences(doc, r.schema, expectOf(r, body), c, tag('create'), dialect, problems);
    problems.push(...missingRequired(doc, r.schema, c, tag('create'), dialect));
    if (c[idKey] === undefined) {
      problems.push(`${tag('create')}: no ${idKey} in ${created.text}`);
      continue;
    }
    items.set(r.collection, c);
    const url = r.item.replace(`{${r.param}}`, encodeURIComponent(keyOf(c, idKey, dialect)));
    const got = await call(base, 'GET', url);
    if (got.status !== 200) problems.push(`${tag('get')}: ${got.status} ${got.text.slice(0, 300)}`);
    else differences(doc, r.schema, c, got.json, tag('get'), dialect, problems);

    const listed = await findListed(
      async (token) => {
        const q = new URLSearchParams();
        if (r.pageSize) q.set(r.pageSize, '100');
        if (token && r.pageToken) q.set(r.pageToken, token);
        const page = await call(base, 'GET', `${r.collection}?${q}`);
        if (page.status !== 200) return { problem: `${page.status} ${page.text.slice(0, 300)}` };
        return { items: page.json![r.listKey] as Record<string, unknown>[] | undefined, next: r.nextToken ? (page.json![r.nextToken] as string | undefined) || undefined : undefined };
      },
      idKey,
      c[idKey],
    );
    if (listed.problem) problems.push(`${tag('list')}: ${listed.problem}`);
    else differences(doc, r.schema, c, listed.item, tag('list'), dialect, problems);

    if (!r.update) continue;
    const change = bodyFor(doc, r.update, 2, salt, idKey, r.collection.split('/').pop()!);
    const updated = await call(base, 'PATCH', url, change);
    if (updated.status !== 200) {
      problems.push(`${tag('update')}: ${updated.status} ${updated.text.slice(0, 300)} (sent ${JSON.stringify(change)})`);
      continue;
    }
    differences(doc, r.schema, kept(doc, r, c, change), updated.json, tag('update'), dialect, problems);
    const again = await call(base, 'GET', url);
    if (again.status !== 200) problems.push(`${tag('get after update')}: ${again.status} ${again.text.slice(0, 300)}`);
    else differences(doc, r.schema, updated.json, again.json, tag('get after update'), dialect, problems);
    items.set(r.collection, updated.json!);
  }
  return { problems, items };
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * The same round-trip over gRPC, for a proto contract's derived OpenAPI
 * document: the RPCs are the operations' ids (`Service_Method`), the request
 * messages follow the AIP standard methods (`{resource}`, `name`, `page_size`,
 * `page_token`, `update_mask` unset = every field).
 */
export async function roundTripGrpc(
  doc: Record<string, unknown>,
  client: GrpcClient,
  pkg: string,
  resources: ResourceApi[],
  salt: number,
): Promise<string[]> {
  const dialect = { proto: true };
  const problems: string[] = [];
  const rpc = (opId: string) => `/${pkg}.${opId.replace('_', '/')}`;
  for (const r of resources) {
    const tag = (what: string) => `gRPC ${what} ${r.collection}`;
    const message = String(r.schema.$ref ?? '').split('.').pop()!;
    const field = lowerFirst(message);
    const idKey = idKeyOf(doc, r, dialect);
    const body = bodyFor(doc, r.create, 1, salt + 1000, idKey, field);
    const created = await client.invoke(rpc(r.ops.create!), { [field]: body });
    if (!created.response) {
      problems.push(`${tag('create')}: ${created.error} (sent ${JSON.stringify(body)})`);
      continue;
    }
    const c = created.response;
    differences(doc, r.schema, body, c, tag('create'), dialect, problems);
    if (!c[idKey]) {
      problems.push(`${tag('create')}: no ${idKey} in ${JSON.stringify(c)}`);
      continue;
    }
    const got = await client.invoke(rpc(r.ops.get!), { name: c[idKey] });
    if (!got.response) problems.push(`${tag('get')}: ${got.error}`);
    else differences(doc, r.schema, c, got.response, tag('get'), dialect, problems);
    const listed = await findListed(
      async (token) => {
        const page = await client.invoke(rpc(r.ops.list!), token ? { pageSize: 100, pageToken: token } : { pageSize: 100 });
        if (!page.response) return { problem: page.error };
        return { items: page.response[r.listKey] as Record<string, unknown>[] | undefined, next: (page.response.nextPageToken as string | undefined) || undefined };
      },
      idKey,
      c[idKey],
    );
    if (listed.problem) problems.push(`${tag('list')}: ${listed.problem}`);
    else differences(doc, r.schema, c, listed.item, tag('list'), dialect, problems);
    if (!r.ops.update) continue;
    const change = bodyFor(doc, r.schema, 2, salt + 1000, idKey, field);
    const updated = await client.invoke(rpc(r.ops.update), { [field]: { ...change, [idKey]: c[idKey] } });
    if (!updated.response) {
      problems.push(`${tag('update')}: ${updated.error} (sent ${JSON.stringify(change)})`);
      continue;
    }
    differences(doc, r.schema, kept(doc, r, c, change), updated.response, tag('update'), dialect, problems);
    const again = await client.invoke(rpc(r.ops.get!), { name: c[idKey] });
    if (!again.response) problems.push(`${tag('get after update')}: ${again.error}`);
    else differences(doc, r.schema, updated.response, again.response, tag('get after update'), dialect, problems);
  }
  return problems;
}

/**
 * One step of an evolution: the contract edit; what the owner does after svc
 * ran (what they did, or undefined; `rerun` when they then run svc gen api
 * again; an action starting "(chosen)" is one they choose, not one svc asked
 * for); and, when the step failed, how they get back to a working tree by hand
 * so the next steps still tell something (the step stays failed).
 */
export interface Step {
  edit: string;
  change(dir: string): void;
  user?(dir: string, run: SvcRun): { action: string; rerun?: boolean } | undefined;
  recover?(dir: string, problems: string[]): string | undefined;
}

/**
 * Applies step n: edits the contract, runs `svc gen api`, lets the owner act,
 * verifies the tree, records the row and returns every problem found.
 */
export async function evolve(
  dir: string,
  n: number,
  step: Step,
  verify: (n: number) => Promise<{ problems: string[]; checks: string }>,
  ledger: Ledger,
): Promise<string[]> {
  const since = Date.now();
  step.change(dir);
  let run = svc(dir, 'gen', 'api', '--yes');
  const exits = [run.code];
  const did = step.user?.(dir, run);
  if (did?.rerun) {
    run = svc(dir, 'gen', 'api', '--yes');
    exits.push(run.code);
  }
  const problems: string[] = [];
  if (run.code !== 0 && (!did || did.action.startsWith('(chosen)'))) problems.push(`svc gen api exited ${run.code} and named no edit this step knows how to make:\n${run.output}`);
  const verified = await verify(n);
  problems.push(...verified.problems);
  let action = did?.action ?? '-';
  if (problems.length) {
    const recovered = step.recover?.(dir, problems);
    if (recovered) action = `${action === '-' ? '' : `${action}; `}after the failure, by hand: ${recovered}`;
  }
  ledger.record(String(n), step.edit, exits.join('→'), action, verified.checks, problems, since);
  return problems;
}

/**
 * Verifies a step: the survivors' problems, the Go checks, then (when it
 * built) exercise on SQLite at sqlitePath and on PostgreSQL at pg when given.
 */
export async function verifyStep(
  dir: string,
  survivors: string[],
  exercise: (db: string, env: Record<string, string>) => Promise<string[]>,
  sqlitePath: string,
  pg: string | undefined,
): Promise<{ problems: string[]; checks: string }> {
  const problems = [...survivors];
  const checked = await goChecks(dir);
  problems.push(...checked.problems);
  if (checked.built) {
    problems.push(...(await exercise('sqlite', { PRODUCT_DATABASE_SQLITE_PATH: sqlitePath })));
    if (pg) problems.push(...(await exercise('postgres', { PRODUCT_DATABASE_DRIVER: 'postgres', PRODUCT_DATABASE_DSN: pg })));
  }
  return { problems, checks: checked.ran };
}
