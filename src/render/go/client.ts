import { isIdempotent, type Operation, type Parameter, type SecurityScheme } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { comment, continueSentence, GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { exportedName, fileStem, goString } from './naming.js';
import { groups } from './service.js';
import { requestType } from './crud.js';
import { apiPackage } from './api.js';
import { converter, DELIMITERS, isFormBody, isRawBody, statusConst } from './handler.js';
import { fallbackContentType, responseSet, type ResponseSet, type ResponseVariant } from './responses.js';
import { runtimeImport, localImportPrefix } from '../runtimepkgs.js';

/** Where a typed Go client is written and what it is called. */
export interface ClientLayout {
  /** The package folder, relative to the module root: `pkg/client`. */
  dir: string;
  /** The package name: `client`. */
  pkg: string;
  /** The service the client calls, for doc comments: `product`. */
  service: string;
  /** The import path of the HTTP client runtime. */
  runtime: string;
}

/** The service's own client, published for other modules to import. */
export function ownClientLayout(gm: GoModel): ClientLayout {
  return { dir: 'pkg/client', pkg: 'client', service: gm.settings.name, runtime: runtimeImport(gm.settings, 'httpclient') };
}

/** Files of the client package that are not per group. */
const CLIENT_FILES = ['client.gen.go', 'credentials.gen.go'];
const PROBLEM = 'application/problem+json';

/**
 * The typed Go client of an OpenAPI service: a Client with one method per
 * operation, taking and returning the very types the service's handler and
 * service layer use (package api, package models), so that *Client
 * implements service.API. The runtime (retries, breaker, metrics,
 * propagation, credentials) is the imported httpclient package.
 */
export function renderGoClient(gm: GoModel, layout: ClientLayout): Artifact[] {
  const out = [renderClient(gm, layout)];
  for (const [group, ops] of groups(gm)) {
    const f = new GoFile(gm.fileName(layout.dir, fileStem(group), '.gen.go', CLIENT_FILES), layout.pkg);
    for (const op of ops) f.add(...renderMethod(gm, layout, f, op));
    out.push(f);
  }
  const creds = renderCredentials(gm, layout);
  if (creds) out.push(creds);
  return out.map((f) => f.toArtifact(localImportPrefix(gm.settings)));
}

function renderClient(gm: GoModel, layout: ClientLayout): GoFile {
  const f = new GoFile(`${layout.dir}/client.gen.go`, layout.pkg, {
    generated: true,
    doc: `Package ${layout.pkg} calls the ${layout.service} service over HTTP: one method per operation of its contract, with the request and response types the service itself uses. Retries, the circuit breaker, metrics, trace propagation and credentials come from package httpclient.`,
  });
  const rt = f.use(layout.runtime);
  const fmt = f.use('fmt');
  f.add(
    `// Client calls the operations of the ${layout.service} service. It is safe for`,
    '// concurrent use; build one per base URL and share it.',
    'type Client struct {',
    `\thttp *${rt}.Client`,
    '}',
  );
  f.add(
    `// New returns a client of the ${layout.service} service at cfg.BaseURL; start from`,
    `// ${rt}.DefaultConfig() for retries, a breaker and pooled connections.`,
    `func New(cfg ${rt}.Config, opts ...${rt}.Option) (*Client, error) {`,
    `\tc, err := ${rt}.New(cfg, opts...)`,
    '\tif err != nil {',
    `\t\treturn nil, ${fmt}.Errorf("${layout.service} client: %w", err)`,
    '\t}',
    '\treturn &Client{http: c}, nil',
    '}',
  );
  return f;
}

/**
 * One constructor of credentials per security scheme a client can present:
 * `BearerAuth(token)`, `APIKeyAuth(key)`, `BasicAuth(user, password)`.
 */
function renderCredentials(gm: GoModel, layout: ClientLayout): GoFile | undefined {
  const ctors = credentialConstructors(gm.model.securitySchemes);
  if (ctors.size === 0) return undefined;
  const f = new GoFile(`${layout.dir}/credentials.gen.go`, layout.pkg);
  const rt = f.use(layout.runtime);
  for (const [s, name] of ctors) {
    const scheme = goString(s.name);
    const desc = s.description ? ` ${continueSentence(s.description.trim().split(/(?<=\.)\s/)[0]!)}` : '';
    switch (credentialKind(s)) {
      case 'basic':
        f.add(...comment(`${name} returns the user and password of the ${scheme} scheme (HTTP basic).${desc}`), `func ${name}(user, password string) ${rt}.Credential {`, `\treturn ${rt}.Basic(${scheme}, user, password)`, '}');
        break;
      case 'apiKey':
        f.add(
          ...comment(`${name} returns the key of the ${scheme} scheme, sent in the ${s.in} ${goString(s.param ?? '')}.${desc}`),
          `func ${name}(key string) ${rt}.Credential {`,
          `\treturn ${rt}.APIKey(${scheme}, ${goString(s.in ?? 'header')}, ${goString(s.param ?? '')}, key)`,
          '}',
        );
        break;
      default:
        f.add(...comment(`${name} returns the bearer token of the ${scheme} scheme (${s.kind}).${desc}`), `func ${name}(token string) ${rt}.Credential {`, `\treturn ${rt}.Bearer(${scheme}, token)`, '}');
    }
  }
  return f;
}

/**
 * The credentials constructor of each scheme a client can present, by
 * scheme: `BearerAuth`, `APIKeyAuth`..., unique in the client package.
 */
export function credentialConstructors(schemes: readonly SecurityScheme[]): Map<SecurityScheme, string> {
  const taken = new Set(['Client', 'New', 'NewFromConfig']);
  const out = new Map<SecurityScheme, string>();
  for (const s of schemes) {
    if (!credentialKind(s)) continue;
    const base = exportedName(s.name).replace(/Auth$/, '');
    let name = `${base}Auth`;
    for (let i = 2; taken.has(name); i++) name = `${base}${i}Auth`;
    taken.add(name);
    out.set(s, name);
  }
  return out;
}

export function credentialKind(s: SecurityScheme): 'bearer' | 'basic' | 'apiKey' | undefined {
  if (s.kind === 'basic') return 'basic';
  if (s.kind === 'apiKey') return s.in && s.param ? 'apiKey' : undefined;
  if (s.kind === 'bearer' || s.kind === 'oauth2' || s.kind === 'openIdConnect') return 'bearer';
  return undefined;
}

/** The method that calls one operation. */
function renderMethod(gm: GoModel, layout: ClientLayout, f: GoFile, op: Operation): string[] {
  const rt = f.use(layout.runtime);
  const http = f.use('net/http');
  const ctx = f.use('context');
  const api = f.use(apiPackage(gm));
  const name = gm.opName(op);
  const set = responseSet(gm, op);
  const resp = set ? `${api}.${set.iface}` : gm.responseType(op, f);
  const results = resp ? `(${resp}, error)` : 'error';
  // What a failed call returns besides its error.
  const zero = !resp ? '' : set || resp.startsWith('*') ? 'nil, ' : `${gm.zeroValue(op.success.type!, f)}, `;
  const lines = [
    ...comment(`${name} calls ${op.method} ${op.path}${op.summary ? `: ${op.summary}` : '.'}`),
    ...(op.deprecated ? ['//', '// Deprecated: the contract marks this operation as deprecated.'] : []),
    `func (c *Client) ${name}(ctx ${ctx}.Context, req ${api}.${requestType(gm, op)}) ${results} {`,
    `\tcall := &${rt}.Request{`,
    `\t\tOperation:\v${goString(op.name)},`,
    `\t\tMethod:\v${http}.Method${op.method.charAt(0)}${op.method.slice(1).toLowerCase()},`,
    `\t\tPath:\v${pathExpr(gm, f, layout, op)},`,
    ...(isIdempotent(op) ? ['\t\tIdempotent:\vtrue,'] : []),
    ...(op.security.length > 0 ? [`\t\tSecurity:\v${securityLiteral(rt, op)},`] : []),
    '\t}',
  ];
  lines.push(...encodeParams(gm, f, layout, op, zero));
  lines.push(...encodeBody(gm, f, layout, op, zero));
  lines.push(`\tresp, err := c.http.Do(ctx, call)`, '\tif err != nil {', `\t\treturn ${zero}err`, '\t}');
  if (set) lines.push(...decodeTyped(gm, f, op, set));
  else if (!resp) lines.push(`\tif resp.StatusCode != ${statusConst(http, op.success.status)} {`, `\t\treturn resp.Err(${goString(op.name)})`, '\t}', '\treturn nil');
  else {
    const t = gm.goType(op.success.type!, f);
    lines.push(
      `\tif resp.StatusCode != ${statusConst(http, op.success.status)} {`,
      `\t\treturn ${zero}resp.Err(${goString(op.name)})`,
      '\t}',
      `\tvar out ${t}`,
      '\tif err := resp.DecodeJSON(&out); err != nil {',
      `\t\treturn ${zero}err`,
      '\t}',
      resp.startsWith('*') ? '\treturn &out, nil' : '\treturn out, nil',
    );
  }
  lines.push('}');
  return lines;
}

function securityLiteral(rt: string, op: Operation): string {
  const reqs = op.security.map((r) => `{${r.map((s) => goString(s.scheme)).join(', ')}}`);
  return `[]${rt}.Requirement{${reqs.join(', ')}}`;
}

/** How a parameter value goes on the wire, mirroring how the handler reads it. */
type Encoding = 'format' | 'json' | 'formatList' | 'jsonList';

function encodingOf(gm: GoModel, f: GoFile, p: Parameter): Encoding | undefined {
  // Asked of a scratch file: the handler's parser names would import into f what the client does not use.
  const conv = converter(gm, new GoFile(`${f.path}.scratch`, f.pkg), p.type);
  if (!conv) return undefined;
  const json = conv.kind !== 'direct' && conv.fn.startsWith('parseJSON');
  if (conv.kind === 'list') return json ? 'jsonList' : 'formatList';
  return json ? 'json' : 'format';
}

/** `"/products/" + url.PathEscape(httpclient.Format(req.ID))` */
function pathExpr(gm: GoModel, f: GoFile, layout: ClientLayout, op: Operation): string {
  const parts: string[] = [];
  let rest = op.path;
  for (let m = /\{([^}]+)\}/.exec(rest); m; m = /\{([^}]+)\}/.exec(rest)) {
    if (m.index > 0) parts.push(goString(rest.slice(0, m.index)));
    const p = op.parameters.find((x) => x.in === 'path' && x.name === m![1]);
    const enc = p && encodingOf(gm, f, p);
    if (!p || !enc || enc === 'json' || enc === 'jsonList') {
      // Not bound by the handler either (or a structure in a path): the wildcard stays as it is written.
      parts.push(goString(m[0]));
    } else {
      const url = f.use('net/url');
      const rt = f.use(layout.runtime);
      const field = `req.${gm.paramField(p)}`;
      if (enc === 'formatList') parts.push(`${url}.PathEscape(${f.use('strings')}.Join(${rt}.FormatAll(${field}), ","))`);
      else parts.push(`${url}.PathEscape(${rt}.Format(${field}))`);
    }
    rest = rest.slice(m.index + m[0].length);
  }
  if (rest) parts.push(goString(rest));
  return parts.join(' + ') || '"/"';
}

/** Query, header and cookie parameters. */
function encodeParams(gm: GoModel, f: GoFile, layout: ClientLayout, op: Operation, zero: string): string[] {
  const params = op.parameters.filter((p) => p.in !== 'path' && encodingOf(gm, f, p) !== undefined);
  if (params.length === 0) return [];
  const lines: string[] = [];
  const rt = f.use(layout.runtime);
  const has = (where: Parameter['in']) => params.some((p) => p.in === where);
  if (has('query')) lines.push(`\tq := ${f.use('net/url')}.Values{}`);
  if (has('header') || has('cookie')) lines.push(`\th := ${f.use('net/http')}.Header{}`);
  if (has('cookie')) lines.push('\tvar cookies []string');
  params.forEach((p, index) => {
    const enc = encodingOf(gm, f, p)!;
    const field = `req.${gm.paramField(p)}`;
    const pointer = gm.paramIsPointer(p);
    const list = enc === 'formatList' || enc === 'jsonList';
    const value = pointer ? `*${field}` : field;
    const wire = goString(p.name);
    const ind = pointer || (list && !p.required) ? '\t\t' : '\t';
    const body: string[] = [];
    // The value as one string, or (lists) as a []string.
    let one: string;
    if (enc === 'json' || enc === 'jsonList') {
      // One variable per parameter: two in one scope must not both be declared as `s`.
      const v = `${enc === 'json' ? 'param' : 'params'}${index + 1}`;
      body.push(`${ind}${v}, err := ${rt}.${enc === 'json' ? 'JSONParam' : 'JSONParams'}(${wire}, ${value})`, `${ind}if err != nil {`, `${ind}\treturn ${zero}err`, `${ind}}`);
      one = v;
    } else if (enc === 'formatList') one = `${rt}.FormatAll(${value})`;
    else one = `${rt}.Format(${value})`;
    if (p.in === 'query' && p.style === 'deepObject' && !list) {
      body.length = 0;
      body.push(`${ind}if err := ${rt}.AddDeepObject(q, ${wire}, ${value}); err != nil {`, `${ind}\treturn ${zero}err`, `${ind}}`);
    } else if (list) {
      if (p.in === 'query' && p.explode !== false) body.push(`${ind}q[${wire}] = ${one}`);
      else {
        const strings = f.use('strings');
        const sep = p.in === 'query' ? (DELIMITERS[p.style ?? 'form'] ?? ',') : ',';
        const joined = `${strings}.Join(${one}, ${goString(sep)})`;
        body.push(p.in === 'query' ? `${ind}q.Set(${wire}, ${joined})` : p.in === 'header' ? `${ind}h.Set(${wire}, ${joined})` : `${ind}cookies = append(cookies, ${cookie(f, wire, joined)})`);
      }
    } else if (p.in === 'query') body.push(`${ind}q.Set(${wire}, ${one})`);
    else if (p.in === 'header') body.push(`${ind}h.Set(${wire}, ${one})`);
    else body.push(`${ind}cookies = append(cookies, ${cookie(f, wire, one)})`);
    if (pointer) lines.push(`\tif ${field} != nil {`, ...body, '\t}');
    else if (list && !p.required) lines.push(`\tif len(${field}) > 0 {`, ...body, '\t}');
    else lines.push(...body);
  });
  if (has('query')) lines.push('\tcall.Query = q');
  if (has('cookie')) lines.push(`\tif len(cookies) > 0 {`, `\t\th.Set("Cookie", ${f.use('strings')}.Join(cookies, "; "))`, '\t}');
  if (has('header') || has('cookie')) lines.push('\tcall.Header = h');
  return lines;
}

function cookie(f: GoFile, name: string, value: string): string {
  return `(&${f.use('net/http')}.Cookie{Name: ${name}, Value: ${value}}).String()`;
}

function encodeBody(gm: GoModel, f: GoFile, layout: ClientLayout, op: Operation, zero: string): string[] {
  if (!op.body) return [];
  if (isRawBody(op)) {
    return ['\tcall.Body = req.Body', `\tcall.ContentType = ${goString(fallbackContentType(op.body.contentType))}`];
  }
  const encodeErr = [`\t\treturn ${zero}${f.use('fmt')}.Errorf("${op.name}: encode the request body: %w", err)`];
  if (isFormBody(op)) {
    const rt = f.use(layout.runtime);
    if (op.body.contentType === 'multipart/form-data') return [`\tbody, contentType, err := ${rt}.EncodeMultipart(req.Body)`, '\tif err != nil {', ...encodeErr, '\t}', '\tcall.Body = body', '\tcall.ContentType = contentType'];
    return [`\tbody, err := ${rt}.EncodeForm(req.Body)`, '\tif err != nil {', ...encodeErr, '\t}', '\tcall.Body = body', '\tcall.ContentType = "application/x-www-form-urlencoded"'];
  }
  // Checked as the service checks it, and without the readOnly properties it refuses.
  const send = [`\tbody, err := ${f.use(gm.modelsPkg)}.EncodeBody(req.Body)`, '\tif err != nil {', ...encodeErr, '\t}', '\tcall.Body = body', `\tcall.ContentType = ${goString(op.body.contentType)}`];
  // An optional body held by pointer is left out when nil.
  const pointer = !op.body.required && !gm.objectOf(op.body.type) && gm.isPointer(op.body.type, false, false);
  if (!pointer) return send;
  return ['\tif req.Body != nil {', ...send.map((l) => `\t${l}`), '\t}'];
}

/** Picks the variant of a typed response by status (and media type, where one status has several). */
function decodeTyped(gm: GoModel, f: GoFile, op: Operation, set: ResponseSet): string[] {
  const api = f.use(apiPackage(gm));
  const exact = set.variants.filter((v) => !v.dynamic);
  const ranges = set.variants.filter((v) => v.dynamic && v.response.status !== 0);
  const fallback = set.variants.filter((v) => v.response.status === 0);
  // Of the variants of one response (one per media type), the raw ones go first, each chosen by its media type.
  const rawFirst = (vs: ResponseVariant[]) => {
    const byResponse = new Map<ResponseVariant['response'], ResponseVariant[]>();
    for (const v of vs) byResponse.set(v.response, [...(byResponse.get(v.response) ?? []), v]);
    return [...byResponse.values()].flatMap((group) => [...group.filter((v) => v.kind === 'raw'), ...group.filter((v) => v.kind !== 'raw')]);
  };
  const order = [...rawFirst(exact), ...rawFirst(ranges), ...rawFirst(fallback)];
  const http = f.use('net/http');
  const cases = order.map((v) => {
    const conds: string[] = [];
    let status: string | undefined;
    if (!v.dynamic) conds.push(`resp.StatusCode == ${(status = statusConst(http, v.status))}`);
    else if (v.response.status !== 0) {
      const low = Math.floor(v.status / 100) * 100;
      conds.push(`resp.StatusCode >= ${low}`, `resp.StatusCode <= ${low + 99}`);
    }
    // Several media types for one response: raw ones by their media type, JSON for the rest.
    const siblings = order.filter((x) => x.response === v.response);
    const last = siblings[siblings.length - 1] === v;
    if (siblings.length > 1 && !last && v.kind === 'raw') {
      conds.push(`resp.MediaType() == ${goString(v.contentType!.split(';')[0]!.trim().toLowerCase())}`);
    }
    // A problem answers an error the service returned, not a response the contract declares for a range.
    if (v.dynamic && v.kind === 'json') {
      conds.push(`resp.MediaType() != ${goString(PROBLEM)}`);
    }
    return { conds, status: conds.length === 1 ? status : undefined, body: variantValue(gm, f, api, v) };
  });
  const fail = `\treturn nil, resp.Err(${goString(op.name)})`;
  // A variant that takes any answer ends the choice: nothing is left for an error.
  const open = cases.findIndex((c) => c.conds.length === 0);
  const chosen = open >= 0 ? cases.slice(0, open + 1) : cases;
  const dedent = (body: string[]) => body.map((l) => l.slice(1));
  if (chosen.length === 1) {
    const only = chosen[0]!;
    if (only.conds.length === 0) return dedent(only.body);
    return [`\tif ${only.conds.join(' && ')} {`, ...only.body, '\t}', fail];
  }
  const tagged = chosen.every((c) => c.status !== undefined || c.conds.length === 0);
  const lines = [tagged ? '\tswitch resp.StatusCode {' : '\tswitch {'];
  for (const c of chosen) {
    const label = c.conds.length === 0 ? 'default' : `case ${tagged ? c.status : c.conds.join(' && ')}`;
    lines.push(`\t${label}:`, ...c.body);
  }
  lines.push('\t}');
  if (open < 0) lines.push(fail);
  return lines;
}

function variantValue(gm: GoModel, f: GoFile, api: string, v: ResponseVariant): string[] {
  const fields: string[] = [];
  if (v.dynamic) fields.push('StatusCode: resp.StatusCode');
  if (v.response.headers?.length) fields.push('Header: resp.Header');
  const lines: string[] = [];
  if (v.kind === 'json') {
    lines.push(`\t\tvar body ${gm.goType(v.type!, f)}`, '\t\tif err := resp.DecodeJSON(&body); err != nil {', '\t\t\treturn nil, err', '\t\t}');
    fields.push('Body: body');
  } else if (v.kind === 'raw') {
    fields.push('ContentType: resp.Header.Get("Content-Type")', 'Body: resp.Body');
  }
  lines.push(`\t\treturn ${api}.${v.name}{${fields.join(', ')}}, nil`);
  return lines;
}
