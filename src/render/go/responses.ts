import type { Operation, Response, TypeRef } from '../../model/types.js';
import type { GoModel } from './gomodel.js';
import { exportedName, unexportedName } from './naming.js';

/**
 * Typed responses: an operation whose contract declares more than one thing
 * to answer — several 2xx responses, error responses with a JSON schema of
 * their own (not an RFC 9457 problem), or bodies in other media types — returns
 * a sum type from the service layer instead of its success body:
 *
 *	type GetOrderResponse interface{ getOrderResponse() }
 *	type GetOrder200Response struct{ Body models.Order }
 *	type GetOrder404Response struct{ Body models.Error }
 *	type GetOrderDefaultResponse struct{ StatusCode int; Body models.Error }
 *
 * A response that declares headers (Link, Retry-After...) makes its operation
 * typed too, its variants gaining a Header field. Every other operation keeps
 * `Op(ctx, req) (*Body, error)`.
 */
export interface ResponseSet {
  /** The interface every variant implements, e.g. `GetOrderResponse`. */
  iface: string;
  /** Its unexported marker method, e.g. `getOrderResponse`. */
  marker: string;
  variants: ResponseVariant[];
}

export interface ResponseVariant {
  /** The struct, e.g. `GetOrder404Response`. */
  name: string;
  response: Response;
  /** The status written; for `default` and ranges (`4XX`), the one used when StatusCode is 0. */
  status: number;
  /** `default` and ranges carry the status in a StatusCode field. */
  dynamic: boolean;
  /** A JSON body of `type`, raw bytes with a ContentType field, or no body. */
  kind: 'json' | 'raw' | 'empty';
  type?: TypeRef;
  /** The declared media type. */
  contentType?: string;
}

const cache = new WeakMap<GoModel, Map<Operation, ResponseSet | undefined>>();

/** The operation's typed responses, or undefined when it keeps the simple signature. */
export function responseSet(gm: GoModel, op: Operation): ResponseSet | undefined {
  let sets = cache.get(gm);
  if (!sets) {
    sets = buildSets(gm);
    cache.set(gm, sets);
  }
  return sets.get(op);
}

function is2xx(r: Response): boolean {
  return r.status >= 200 && r.status < 300;
}

function codeOf(r: Response): string {
  return r.code ?? (r.status === 0 ? 'default' : String(r.status));
}

function buildSets(gm: GoModel): Map<Operation, ResponseSet | undefined> {
  const out = new Map<Operation, ResponseSet | undefined>();
  // One namespace with the rest of package service: request types, group interfaces, Service.
  const taken = new Set<string>(['API', 'Service', 'Repositories', 'New']);
  for (const op of gm.model.operations) taken.add(`${gm.opName(op)}Request`);
  for (const op of gm.model.operations) taken.add(`${gm.groupName(op.group)}API`);
  const unique = (base: string) => {
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
    taken.add(name);
    return name;
  };
  for (const op of gm.model.operations) {
    const successes = [op.success, ...op.otherResponses.filter(is2xx)];
    const errors = op.otherResponses.filter((r) => !is2xx(r) && r.type !== undefined && !r.problem);
    // Declared response headers are set through the variant's Header field.
    const typed = successes.length > 1 || errors.length > 0 || (op.success.alternatives?.length ?? 0) > 0 || (op.success.headers?.length ?? 0) > 0;
    if (!typed) {
      out.set(op, undefined);
      continue;
    }
    const iface = unique(`${gm.opName(op)}Response`);
    const order = (r: Response) => (r.status === 0 ? 10_000 : /XX$/.test(codeOf(r)) ? r.status + 99.5 : r.status);
    const responses = [...successes, ...errors].sort((a, b) => order(a) - order(b));
    const variants: ResponseVariant[] = [];
    for (const r of responses) {
      const code = codeOf(r);
      const base = `${gm.opName(op)}${code === 'default' ? 'Default' : code.toUpperCase()}`;
      const dynamic = code === 'default' || /XX$/.test(code);
      const status = r.status === 0 ? 500 : r.status;
      const media: Omit<ResponseVariant, 'name' | 'response' | 'status' | 'dynamic'>[] = [];
      if (r.type) media.push({ kind: 'json', type: r.type, contentType: r.contentType ?? 'application/json' });
      for (const a of r.alternatives ?? []) media.push({ kind: 'raw', contentType: a.contentType });
      if (media.length === 0) media.push({ kind: 'empty' });
      media.forEach((m, i) => {
        const name = unique(`${base}${i === 0 ? '' : mediaSuffix(m.contentType!)}Response`);
        variants.push({ name, response: r, status, dynamic, ...m });
      });
    }
    out.set(op, { iface, marker: unexportedName(iface), variants });
  }
  return out;
}

/** `application/pdf` → `Pdf`, `text/csv` → `TextCsv`, `application/xml` → `XML`. */
function mediaSuffix(contentType: string): string {
  const bare = contentType.split(';')[0]!.trim().replace(/^application\//, '').replace('*', 'any');
  return exportedName(bare) || 'Raw';
}

/** The Content-Type written when a raw variant leaves ContentType empty. */
export function fallbackContentType(contentType: string): string {
  return contentType.includes('*') ? 'application/octet-stream' : contentType;
}
