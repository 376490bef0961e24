/**
 * `google.api.http` path templates: parsing them and writing them back. How a
 * target routes them (Go's ServeMux) is the target renderer's business:
 * src/render/go/muxroute.ts.
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
