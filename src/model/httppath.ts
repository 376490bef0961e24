/**
 * `google.api.http` path templates: parsing them, and mapping them onto Go
 * 1.22 `net/http.ServeMux` patterns.
 *
 * The grammar (from google/api/http.proto):
 *
 *     Template = "/" Segments [ Verb ] ;
 *     Segments = Segment { "/" Segment } ;
 *     Segment  = "*" | "**" | LITERAL | Variable ;
 *     Variable = "{" FieldPath [ "=" Segments ] "}" ;
 *     FieldPath = IDENT { "." IDENT } ;
 *     Verb     = ":" LITERAL ;
 *
 * Like grpc-gateway, a `:` is allowed inside literal segments. A verb is split
 * off only when the last segment is a variable or a wildcard: a last literal
 * such as `projects:search` stays one literal (ServeMux matches it as is).
 */
import { singular, words } from './names.js';

/**
 * A valid-looking template ServeMux cannot route: a `**` before the last
 * segment, as in Firestore's ListDocuments (a `parent` bound to a path
 * ending in `**`, then `/{collection_id}`). google/api/http.proto forbids
 * it, but real protos use it.
 */
export class UnroutableTemplateError extends Error {}

export interface PathTemplate {
  segments: PathSegment[];
  verb?: string;
}

export type PathSegment =
  | { kind: 'literal'; value: string }
  /** A bare `*` (one segment) or `**` (the rest of the path) outside any variable. */
  | { kind: 'wildcard'; multi: boolean }
  /** `{field}` or `{field=segments}`; `field` is the dotted field path, `segments` default to `['*']`. */
  | { kind: 'variable'; field: string; segments: ('*' | '**' | { literal: string })[] };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a path template; throws `Error('<what is wrong> in "<path>"')` when it is malformed. */
export function parsePathTemplate(path: string): PathTemplate {
  const fail = (what: string): never => {
    throw new Error(`${what} in "${path}"`);
  };
  if (!path.startsWith('/')) fail('a path template must start with "/"');

  const segments: PathSegment[] = [];
  let verb: string | undefined;
  const fields = new Set<string>();
  let i = 1;
  if (path.length === 1) return { segments };

  for (;;) {
    const c = path[i];
    if (c === undefined || c === '/') fail(i === path.length ? 'a trailing "/"' : 'an empty segment');
    if (c === '{') {
      const close = path.indexOf('}', i);
      const nextOpen = path.indexOf('{', i + 1);
      if (close < 0 || (nextOpen >= 0 && nextOpen < close)) fail('an unclosed "{"');
      segments.push(parseVariable(path.slice(i + 1, close), fail, fields));
      i = close + 1;
    } else {
      // A literal or a bare wildcard runs up to the next "/" (braces never appear in them).
      let end = path.indexOf('/', i);
      if (end < 0) end = path.length;
      const text = path.slice(i, end);
      if (text.includes('{')) fail('a "{" inside a literal segment');
      if (text.includes('}')) fail('a "}" without "{"');
      const isLast = end === path.length;
      const colon = text.indexOf(':');
      const head = isLast && colon >= 0 ? text.slice(0, colon) : text;
      if (head === '*' || head === '**') {
        segments.push({ kind: 'wildcard', multi: head === '**' });
        if (head !== text) verb = parseVerb(text.slice(colon + 1), fail);
      } else {
        if (text.includes('*')) fail(`a "*" inside the literal segment "${text}"`);
        segments.push({ kind: 'literal', value: text });
      }
      i = end;
    }
    // After a segment: end, "/" and another segment, or (after a variable) ":" verb.
    if (i === path.length) break;
    if (path[i] === ':' && segments[segments.length - 1]?.kind === 'variable') {
      verb = parseVerb(path.slice(i + 1), fail);
      break;
    }
    if (path[i] !== '/') fail(`unexpected "${path[i]}" after a variable`);
    i++;
  }
  return verb === undefined ? { segments } : { segments, verb };
}

function parseVariable(body: string, fail: (what: string) => never, fields: Set<string>): PathSegment {
  const eq = body.indexOf('=');
  const field = eq < 0 ? body : body.slice(0, eq);
  if (field === '') fail('an empty field path in "{' + body + '}"');
  for (const ident of field.split('.')) {
    if (!IDENT.test(ident)) fail(`an invalid field path "${field}"`);
  }
  if (fields.has(field)) fail(`the field "${field}" bound twice`);
  fields.add(field);
  if (eq < 0) return { kind: 'variable', field, segments: ['*'] };

  const rest = body.slice(eq + 1);
  if (rest === '') fail(`no segments after "=" in "{${body}}"`);
  const segments: ('*' | '**' | { literal: string })[] = [];
  for (const seg of rest.split('/')) {
    if (seg === '') fail(`an empty segment in "{${body}}"`);
    if (seg === '*' || seg === '**') segments.push(seg);
    else if (seg.includes('*')) fail(`a "*" inside the literal segment "${seg}"`);
    else if (seg.includes('=')) fail(`an unexpected "=" in "{${body}}"`);
    else segments.push({ literal: seg });
  }
  return { kind: 'variable', field, segments };
}

function parseVerb(text: string, fail: (what: string) => never): string {
  if (text === '') fail('an empty verb after ":"');
  if (/[/{}*]/.test(text)) fail(`an invalid verb ":${text}"`);
  return text;
}

export interface MuxRoute {
  /** Go 1.22 ServeMux path pattern without method and without the verb, e.g. "/v1/projects/{project}/topics/{topic}". A `**` becomes "{name...}" and must be last. */
  pattern: string;
  verb?: string;
  /** Names of the pattern's wildcards, in order (valid Go identifiers, unique). */
  wildcards: string[];
  /** How each variable's field value is rebuilt from the wildcards: parts joined with "/". */
  bindings: { field: string; parts: ({ literal: string } | { wildcard: string })[] }[];
}

/**
 * Maps a template onto a ServeMux pattern. Wildcard names: a `*` right after a
 * plural literal inside a variable is named after that literal's singular
 * (`projects/*` → `project`); any other variable wildcard after the field's
 * last component (`{product.id}` → `id`); a bare `*` or `**` is `p1`, `p2`, ….
 * Names are made valid Go identifiers and unique (`name`, `name2`).
 * Throws when the template cannot be expressed (a `**` that is not last).
 */
export function muxRoute(t: PathTemplate): MuxRoute {
  const used = new Set<string>();
  const wildcards: string[] = [];
  const bindings: MuxRoute['bindings'] = [];
  const parts: string[] = [];
  let bare = 0;
  let verb = t.verb;

  const total = t.segments.reduce((n, s) => n + (s.kind === 'variable' ? s.segments.length : 1), 0);
  let position = 0;
  const add = (base: string, multi: boolean): string => {
    position++;
    if (multi && position !== total) throw new UnroutableTemplateError(`"**" must be the last segment of the path "${formatTemplate(t)}"`);
    const name = unique(base, used);
    wildcards.push(name);
    parts.push(multi ? `{${name}...}` : `{${name}}`);
    return name;
  };

  t.segments.forEach((seg, index) => {
    if (seg.kind === 'literal') {
      position++;
      // A verb after a last literal is part of the literal (ServeMux matches it whole).
      const value = verb !== undefined && index === t.segments.length - 1 ? `${seg.value}:${verb}` : seg.value;
      if (value !== seg.value) verb = undefined;
      parts.push(muxLiteral(value));
    } else if (seg.kind === 'wildcard') {
      bare++;
      add(`p${bare}`, seg.multi);
    } else {
      const fieldName = goIdent(seg.field.split('.').pop() ?? '') ?? `p${++bare}`;
      const binding: MuxRoute['bindings'][number] = { field: seg.field, parts: [] };
      seg.segments.forEach((s, j) => {
        if (typeof s === 'object') {
          position++;
          parts.push(muxLiteral(s.literal));
          binding.parts.push({ literal: s.literal });
          return;
        }
        const prev = j > 0 ? seg.segments[j - 1] : undefined;
        // `projects/*` → `project`; a literal that is no plural (`v1/*`) names nothing.
        const one = s === '*' && typeof prev === 'object' && singular(prev.literal) !== prev.literal ? goIdent(singular(prev.literal)) : undefined;
        binding.parts.push({ wildcard: add(one ?? fieldName, s === '**') });
      });
      bindings.push(binding);
    }
  });

  const pattern = parts.length === 0 ? '/{$}' : `/${parts.join('/')}`;
  return verb === undefined ? { pattern, wildcards, bindings } : { pattern, verb, wildcards, bindings };
}

/** The template written back in the google.api.http syntax (for messages). */
export function formatTemplate(t: PathTemplate): string {
  const segs = t.segments.map((s) => {
    if (s.kind === 'literal') return s.value;
    if (s.kind === 'wildcard') return s.multi ? '**' : '*';
    const inner = s.segments.map((x) => (typeof x === 'object' ? x.literal : x)).join('/');
    return inner === '*' ? `{${s.field}}` : `{${s.field}=${inner}}`;
  });
  return `/${segs.join('/')}${t.verb === undefined ? '' : `:${t.verb}`}`;
}

/** ServeMux reads a segment containing "{" as a wildcard; percent-encoding keeps it literal. */
function muxLiteral(value: string): string {
  return value.replaceAll('{', '%7B');
}

/**
 * A valid ASCII Go identifier for `name`: kept when already valid
 * (`product_id`), otherwise its words in lowerCamelCase (`location-id` →
 * `locationId`), prefixed with `x` when it would start with a digit.
 */
function goIdent(name: string): string | undefined {
  if (IDENT.test(name)) return name;
  const w = words(name);
  if (w.length === 0) return undefined;
  const id = w.map((x, i) => (i === 0 ? x : x.charAt(0).toUpperCase() + x.slice(1))).join('');
  return /^[0-9]/.test(id) ? `x${id}` : id;
}

function unique(base: string, used: Set<string>): string {
  let name = base;
  const sep = /[0-9]$/.test(base) ? '_' : '';
  for (let n = 2; used.has(name); n++) name = `${base}${sep}${n}`;
  used.add(name);
  return name;
}
