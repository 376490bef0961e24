import type { SourceLocation } from '../errors.js';
import type { ApiSnapshot, SnapshotField, SnapshotOperation, SnapshotType } from './snapshot.js';

/** One change of the contract that breaks a caller built for the recorded API. */
export interface BreakingChange {
  message: string;
  /** Where in the contract as it stands, when the change has a place there (a removed thing is located at what held it). */
  location?: SourceLocation;
}

/**
 * Finds places in the current contract; each answers undefined when it
 * cannot tell (an inline type has no place of its own).
 */
export interface ContractLocator {
  /** The contract file, for changes without a better place. */
  file: string;
  operation(method: string, path: string): SourceLocation | undefined;
  param(method: string, path: string, where: string, name: string): SourceLocation | undefined;
  type(name: string): SourceLocation | undefined;
  field(type: string, field: string, number?: number): SourceLocation | undefined;
  rpc(name: string): SourceLocation | undefined;
}

/**
 * The breaking changes from the recorded API (`old`) to the contract as it
 * stands (`now`): a removed or renamed operation, RPC or field; a changed
 * type; a new required field or parameter in a request; optional → required
 * in a request (required → optional in a response); a removed enum value;
 * a proto field number changed or reused. Additions are not breaking.
 */
export function breakingChanges(old: ApiSnapshot, now: ApiSnapshot, at: ContractLocator): BreakingChange[] {
  const out: BreakingChange[] = [];
  const report = (message: string, ...where: (SourceLocation | undefined)[]) => {
    const location = where.find((l) => l !== undefined) ?? { file: at.file };
    out.push({ message, location });
  };
  compareOperations(old, now, at, report);
  compareTypes(old, now, at, report);
  compareRpcs(old, now, at, report);
  return out;
}

type Report = (message: string, ...where: (SourceLocation | undefined)[]) => void;

const endpoint = (o: { method: string; path: string }) => `${o.method} ${o.path}`;

function compareOperations(old: ApiSnapshot, now: ApiSnapshot, at: ContractLocator, report: Report): void {
  for (const [name, was] of Object.entries(old.operations)) {
    const is = now.operations[name];
    if (!is) {
      const successor = Object.entries(now.operations).find(([n, o]) => !old.operations[n] && endpoint(o) === endpoint(was));
      if (successor) report(`operation ${name} (${endpoint(was)}) renamed to ${successor[0]}: generated clients call it by its old name`, at.operation(was.method, was.path));
      else report(`operation ${name} (${endpoint(was)}) removed`);
      continue;
    }
    const here = at.operation(is.method, is.path);
    if (endpoint(is) !== endpoint(was)) report(`operation ${name} moved from ${endpoint(was)} to ${endpoint(is)}`, here);
    compareParams(name, was, is, at, here, report);
    if (is.body?.required && !was.body?.required) report(`operation ${name} now requires a request body`, here);
    if (was.body && is.body && was.body.type !== is.body.type) report(`operation ${name}: request body changed type from ${was.body.type} to ${is.body.type}`, here);
    if (was.response !== undefined && was.response !== is.response) {
      report(`operation ${name}: response changed ${is.response === undefined ? `from ${was.response} to no body` : `type from ${was.response} to ${is.response}`}`, here);
    }
  }
}

function compareParams(name: string, was: SnapshotOperation, is: SnapshotOperation, at: ContractLocator, here: SourceLocation | undefined, report: Report): void {
  for (const [key, p] of Object.entries(is.params)) {
    const [where, pname] = splitParam(key);
    const loc = at.param(is.method, is.path, where, pname);
    const before = was.params[key];
    if (!before) {
      if (p.required) report(`operation ${name}: new required ${where} parameter ${pname}`, loc, here);
      continue;
    }
    if (before.type !== p.type) report(`operation ${name}: ${where} parameter ${pname} changed type from ${before.type} to ${p.type}`, loc, here);
    if (p.required && !before.required) report(`operation ${name}: ${where} parameter ${pname} became required`, loc, here);
  }
}

function splitParam(key: string): [string, string] {
  const i = key.indexOf(':');
  return [key.slice(0, i), key.slice(i + 1)];
}

function compareTypes(old: ApiSnapshot, now: ApiSnapshot, at: ContractLocator, report: Report): void {
  const { requests, responses } = usage(now);
  for (const [name, was] of Object.entries(old.types)) {
    const is = now.types[name];
    if (!is) continue; // Where it was used, the operation's or field's type changed: reported there.
    const here = at.type(name);
    if (was.kind !== is.kind) {
      report(`type ${name} changed from ${describeKind(was)} to ${describeKind(is)}`, here);
      continue;
    }
    if (was.kind === 'object' && is.kind === 'object') compareFields(name, was.fields, is.fields, { request: requests.has(name), response: responses.has(name) }, at, here, report);
    else if (was.kind === 'enum' && is.kind === 'enum') {
      for (const v of was.values) if (!is.values.includes(v)) report(`enum ${name}: value ${String(v)} removed`, here);
    } else if (was.kind === 'alias' && is.kind === 'alias' && was.type !== is.type) report(`type ${name} changed from ${was.type} to ${is.type}`, here);
    else if (was.kind === 'union' && is.kind === 'union') {
      for (const v of was.variants) if (!is.variants.includes(v)) report(`type ${name}: variant ${v} removed`, here);
    }
  }
}

function compareFields(
  type: string,
  was: Record<string, SnapshotField>,
  is: Record<string, SnapshotField>,
  use: { request: boolean; response: boolean },
  at: ContractLocator,
  here: SourceLocation | undefined,
  report: Report,
): void {
  const added = Object.keys(is).filter((f) => !was[f]);
  for (const [fname, before] of Object.entries(was)) {
    const after = is[fname];
    if (!after) {
      // The same number (proto), or else the one new field of the same type, is the field under a new name.
      const byNumber = before.number !== undefined ? added.find((f) => is[f]!.number === before.number) : undefined;
      if (byNumber !== undefined) {
        const now = is[byNumber]!;
        if (now.type === before.type) report(`field ${type}.${fname} renamed to ${byNumber} (number ${before.number})`, at.field(type, byNumber, now.number), here);
        else report(`field number ${before.number} of ${type} reused: was ${fname} (${before.type}), now ${byNumber} (${now.type})`, at.field(type, byNumber, now.number), here);
        continue;
      }
      const sameType = added.filter((f) => is[f]!.type === before.type && is[f]!.number === undefined);
      const hint = sameType.length === 1 ? ` (renamed to ${sameType[0]}?)` : '';
      report(`field ${type}.${fname} removed${hint}`, sameType.length === 1 ? at.field(type, sameType[0]!) : undefined, here);
      continue;
    }
    const loc = at.field(type, fname, after.number);
    if (before.type !== after.type) report(`field ${type}.${fname} changed type from ${before.type} to ${after.type}`, loc, here);
    if (before.number !== undefined && after.number !== undefined && before.number !== after.number) {
      report(`field ${type}.${fname} changed number from ${before.number} to ${after.number}`, loc, here);
    }
    if (use.request && after.required && !before.required) report(`field ${type}.${fname} became required, and ${type} is sent in requests`, loc, here);
    if (use.response && before.required && !after.required) report(`field ${type}.${fname} is no longer required, and ${type} is returned in responses`, loc, here);
  }
  if (!use.request) return;
  for (const fname of added) {
    const f = is[fname]!;
    if (f.required && (f.number === undefined || !Object.values(was).some((w) => w.number === f.number))) {
      report(`new required field ${type}.${fname}, and ${type} is sent in requests`, at.field(type, fname, f.number), here);
    }
  }
}

function compareRpcs(old: ApiSnapshot, now: ApiSnapshot, at: ContractLocator, report: Report): void {
  for (const [name, was] of Object.entries(old.rpcs ?? {})) {
    const is = now.rpcs?.[name];
    if (!is) {
      report(`rpc ${name} removed`);
      continue;
    }
    const here = at.rpc(name);
    if (was.input !== is.input) report(`rpc ${name}: request changed from ${was.input} to ${is.input}`, here);
    if (was.output !== is.output) report(`rpc ${name}: response changed from ${was.output} to ${is.output}`, here);
    if (was.streaming !== is.streaming) report(`rpc ${name}: streaming changed from ${was.streaming} to ${is.streaming}`, here);
  }
}

function describeKind(t: SnapshotType): string {
  return t.kind === 'object' ? 'an object' : t.kind === 'enum' ? 'an enum' : t.kind === 'alias' ? 'an alias' : 'a union';
}

/**
 * The types callers send (reachable from request parameters and bodies, or
 * RPC requests) and those they receive (from responses), through fields,
 * lists, maps, aliases and unions.
 */
export function usage(s: ApiSnapshot): { requests: Set<string>; responses: Set<string> } {
  const requests = new Set<string>();
  const responses = new Set<string>();
  for (const o of Object.values(s.operations)) {
    for (const p of Object.values(o.params)) reach(s, p.type, requests);
    if (o.body) reach(s, o.body.type, requests);
    if (o.response) reach(s, o.response, responses);
  }
  for (const r of Object.values(s.rpcs ?? {})) {
    reach(s, r.input, requests);
    reach(s, r.output, responses);
  }
  return { requests, responses };
}

function reach(s: ApiSnapshot, type: string, into: Set<string>): void {
  const stack = namesIn(type);
  while (stack.length > 0) {
    const name = stack.pop()!;
    const t = s.types[name];
    if (!t || into.has(name)) continue;
    into.add(name);
    if (t.kind === 'object') for (const f of Object.values(t.fields)) stack.push(...namesIn(f.type));
    else if (t.kind === 'alias') stack.push(...namesIn(t.type));
    else if (t.kind === 'union') for (const v of t.variants) stack.push(...namesIn(v));
  }
}

/** The type names a snapshot type string mentions: `[]Tag` → Tag, `map<string,pkg.Item>` → string, pkg.Item. */
function namesIn(type: string): string[] {
  return type.split(/[^A-Za-z0-9_.]+/).filter((p) => p !== '' && p !== 'map' && p !== 'repeated');
}
