/**
 * Go 1.22 `net/http.ServeMux` patterns for `google.api.http` path templates:
 * what the REST gateway registers and the derived OpenAPI document lists.
 */
import { formatTemplate, type PathTemplate } from '../../model/httppath.js';
import { singular, words } from '../../model/names.js';

/**
 * A valid-looking template ServeMux cannot route: a `**` before the last
 * segment, as in Firestore's ListDocuments (a `parent` bound to a path
 * ending in `**`, then `/{collection_id}`). google/api/http.proto forbids
 * it, but real protos use it.
 */
export class UnroutableTemplateError extends Error {}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

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

/** Whether ServeMux can route the template of a rule (a malformed one is the builder's to report). */
export function isRoutable(t: PathTemplate): boolean {
  try {
    muxRoute(t);
    return true;
  } catch (err) {
    if (err instanceof UnroutableTemplateError) return false;
    throw err;
  }
}
