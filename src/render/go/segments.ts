/**
 * ServeMux routing for OpenAPI paths whose parameters sit inside a segment
 * (`/orders/{id}:approve`, `/files/{name}.json`). Go 1.22's ServeMux only
 * knows wildcards that are a whole segment, so such a segment becomes one
 * whole-segment wildcard and the generated route carries the segment's parts
 * (handler.Segment): handler.Register matches the literal text and sets the
 * parameters' path values, telling apart the operations that share a method
 * and pattern (`POST /orders/{id}:approve`, `POST /orders/{id}:cancel`,
 * `POST /orders/{id}`), as the proto gateway tells custom verbs apart.
 */
import { UserError } from '../../errors.js';
import { unexportedName } from './naming.js';

/** The Go wildcard name of an OpenAPI path parameter: what the handler reads with pathParam. */
export function wildcardName(param: string): string {
  return unexportedName(param);
}

/** One `/`-separated segment of an OpenAPI path: literal text and parameters, alternately, starting and ending with literal text. */
type PathSegment = { literal: string } | { parts: string[] };

/** A segment whose parameters ServeMux cannot route alone, as handler.Segment: `{id}:approve` → wildcard "id", parts ["", "id", ":approve"]. */
export interface InSegment {
  wildcard: string;
  parts: string[];
}

/** How one operation is routed: the ServeMux pattern (without method) and the segments the dispatcher matches. */
export interface SegmentRoute {
  pattern: string;
  segments: InSegment[];
}

/** Splits a path into segments; parameter names become Go wildcard names. Throws on two parameters with no text between them. */
function parse(path: string): PathSegment[] {
  return path
    .split('/')
    .slice(1)
    .map((seg) => {
      if (!seg.includes('{')) return { literal: seg };
      const parts: string[] = [];
      let rest = seg;
      for (let m = /\{([^}]*)\}/.exec(rest); m; m = /\{([^}]*)\}/.exec(rest)) {
        parts.push(rest.slice(0, m.index), wildcardName(m[1]!));
        rest = rest.slice(m.index + m[0].length);
      }
      parts.push(rest);
      for (let i = 2; i < parts.length - 1; i += 2) {
        if (parts[i] === '') throw new UserError(`path "${path}": the parameters of the segment "${seg}" need literal text between them to be told apart`);
      }
      return { parts };
    });
}

/** A whole-segment parameter: `{id}`. */
function whole(s: PathSegment): s is { parts: string[] } {
  return 'parts' in s && s.parts.length === 3 && s.parts[0] === '' && s.parts[2] === '';
}

/** The route shape ServeMux sees: literals kept, every segment with a parameter a wildcard. */
function shape(segs: PathSegment[]): string {
  return segs.map((s) => ('literal' in s ? `=${s.literal}` : '*')).join('/');
}

/** ServeMux reads a literal containing "{" as a wildcard; percent-encoding keeps it literal. */
function muxLiteral(value: string): string {
  return value.replaceAll('{', '%7B');
}

/** `/products/{id}` → `/products/{id}`; a segment with text around its parameter becomes a whole wildcard; a trailing slash is anchored. */
export function muxPattern(path: string): string {
  return segmentRoutes([{ method: 'GET', path }])[0]!.pattern;
}

/**
 * Routes every operation: its ServeMux pattern, and the segments a
 * dispatcher must match when the path has parameters inside a segment, or
 * when it shares its method and pattern shape with such a path. Operations of
 * one method whose patterns ServeMux would find identical get the same
 * pattern: the wildcard names of the group's plain path (no parameter inside
 * a segment) if it has one, otherwise of its first path; an operation whose
 * parameters are named otherwise gets them back from its segments.
 */
export function segmentRoutes(ops: { method: string; path: string }[]): SegmentRoute[] {
  const parsed = ops.map((op) => parse(op.path));
  const keys = ops.map((op, i) => `${op.method} ${shape(parsed[i]!)}`);
  const plain = parsed.map((segs) => segs.every((s) => 'literal' in s || whole(s)));
  // The wildcard names of each group: those of its first plain path, else of its first path.
  const canonical = new Map<string, string[]>();
  const chosenPlain = new Set<string>();
  parsed.forEach((segs, i) => {
    const key = keys[i]!;
    if (chosenPlain.has(key) || (canonical.has(key) && !plain[i])) return;
    if (plain[i]) chosenPlain.add(key);
    const used = new Set<string>();
    canonical.set(key, segs.flatMap((s) => ('literal' in s ? [] : [unique(s.parts[1]!, used)])));
  });
  return ops.map((op, i) => {
    const names = canonical.get(keys[i]!)!;
    const segs = parsed[i]!;
    const segments: InSegment[] = [];
    let w = 0;
    const parts = segs.map((s) => {
      if ('literal' in s) return muxLiteral(s.literal);
      const wildcard = names[w++]!;
      if (!whole(s) || s.parts[1] !== wildcard) segments.push({ wildcard, parts: s.parts });
      return `{${wildcard}}`;
    });
    let pattern = `/${parts.join('/')}`;
    if (pattern.endsWith('/')) pattern = `${pattern}{$}`;
    return { pattern, segments };
  });
}

function unique(base: string, used: Set<string>): string {
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}${n}`;
  used.add(name);
  return name;
}
