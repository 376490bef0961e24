import { parsePathTemplate } from '../../model/httppath.js';
import { muxRoute, UnroutableTemplateError, type MuxRoute } from '../go/muxroute.js';
import type { HttpRule, RpcMethod, RpcService } from '../../model/rpc.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from '../go/gofile.js';
import { goString, unexportedName } from '../go/naming.js';
import { goCamelCase, type ProtoLayout } from './layout.js';
import { localImportPrefix } from '../runtimepkgs.js';

const METHOD_CONSTANTS: Record<string, string> = {
  GET: 'MethodGet',
  POST: 'MethodPost',
  PUT: 'MethodPut',
  PATCH: 'MethodPatch',
  DELETE: 'MethodDelete',
  HEAD: 'MethodHead',
  OPTIONS: 'MethodOptions',
};

/** One HTTP rule of one RPC, mapped onto a ServeMux pattern. */
export interface GatewayRoute {
  service: RpcService;
  method: RpcMethod;
  rule: HttpRule;
  mux: MuxRoute;
}

/** Routes that share a method and a path pattern: told apart by their custom verb. */
interface RouteGroup {
  httpMethod: string;
  pattern: string;
  /** Segment shapes, for conflict checks: a literal, `*` or `**`. */
  shape: string[];
  /** The last wildcard, where a verb is found. */
  last?: string;
  wildcards: string[];
  plain?: GatewayRoute;
  verbs: Map<string, GatewayRoute>;
}

/**
 * The REST routes of the gRPC services: one per `google.api.http` rule of a
 * unary RPC. Streaming RPCs, and rules whose path cannot share the ServeMux
 * with an earlier one, are served over gRPC only, with a warning.
 */
export function gatewayRoutes(layout: ProtoLayout, warnings: string[]): RouteGroup[] {
  let found = routesOf.get(layout);
  if (!found) {
    const own: string[] = [];
    found = { groups: findRoutes(layout, own), warnings: own };
    routesOf.set(layout, found);
  }
  warnings.push(...found.warnings);
  return found.groups;
}

/** Each layout's routes and the warnings finding them gave: found once, however many files need them. */
const routesOf = new WeakMap<ProtoLayout, { groups: RouteGroup[]; warnings: string[] }>();

function findRoutes(layout: ProtoLayout, warnings: string[]): RouteGroup[] {
  const groups: RouteGroup[] = [];
  // The groups by method and shape, and each method's groups: found by key
  // rather than by a scan of every group per rule (993 RPCs in Compute Engine).
  const byShape = new Map<string, RouteGroup>();
  const byMethod = new Map<string, RouteGroup[]>();
  for (const s of layout.rpc.services) {
    for (const m of s.methods) {
      if (m.http.length === 0) continue;
      if (m.clientStreaming || m.serverStreaming) {
        warnings.push(`${s.fullName}.${m.name}: streaming RPC is served over gRPC only; its google.api.http binding is ignored`);
        continue;
      }
      for (const rule of m.http) {
        let mux: MuxRoute;
        try {
          mux = muxRoute(parsePathTemplate(rule.path));
        } catch (err) {
          if (!(err instanceof UnroutableTemplateError)) throw err;
          warnings.push(`${m.location}: rpc ${m.name}: google.api.http ${rule.method} ${rule.path}: ${err.message}; net/http.ServeMux cannot route it, so this binding is left out (the RPC is still served over gRPC)`);
          continue;
        }
        const route: GatewayRoute = { service: s, method: m, rule, mux };
        const shape = shapeOf(mux);
        const key = `${rule.method} ${shape.join('/')}`;
        const same = byShape.get(key);
        if (same) {
          if (mux.verb !== undefined && !same.verbs.has(mux.verb)) {
            // A group started by a plain route learns where its verbs sit.
            same.last ??= same.wildcards[same.wildcards.length - 1];
            same.verbs.set(mux.verb, renamed(route, same.wildcards));
          }
          else if (mux.verb === undefined && !same.plain) same.plain = renamed(route, same.wildcards);
          else warnings.push(`${s.fullName}.${m.name}: ${rule.method} ${rule.path} is already bound by another rule; served over gRPC only`);
          continue;
        }
        const sameMethod = byMethod.get(rule.method) ?? [];
        const clash = sameMethod.find((g) => conflicts(g.shape, shape));
        if (clash) {
          warnings.push(`${s.fullName}.${m.name}: ${rule.method} ${rule.path} overlaps ${clash.httpMethod} ${clash.pattern} ambiguously; served over gRPC only`);
          continue;
        }
        const group: RouteGroup = { httpMethod: rule.method, pattern: mux.pattern, shape, wildcards: mux.wildcards, verbs: new Map() };
        if (mux.verb !== undefined) {
          group.last = mux.wildcards[mux.wildcards.length - 1];
          group.verbs.set(mux.verb, route);
        } else {
          group.plain = route;
        }
        groups.push(group);
        byShape.set(key, group);
        sameMethod.push(group);
        byMethod.set(rule.method, sameMethod);
      }
    }
  }
  return groups;
}

/** The segment shapes of a ServeMux pattern. */
function shapeOfMux(pattern: string): string[] {
  return pattern
    .split('/')
    .slice(1)
    .map((seg) => (seg.startsWith('{') ? (seg.endsWith('...}') ? '**' : '*') : seg));
}

/** Routes whose verb sits on a literal last segment never group with a verb (the literal holds it). */
function shapeOf(mux: MuxRoute): string[] {
  return mux.pattern
    .split('/')
    .slice(1)
    .map((seg) => (seg.startsWith('{') ? (seg.endsWith('...}') ? '**' : '*') : seg));
}

/** A route whose wildcards are renamed, by position, to the names of the group it joins. */
function renamed(route: GatewayRoute, names: string[]): GatewayRoute {
  const map = new Map(route.mux.wildcards.map((w, i) => [w, names[i]!]));
  return {
    ...route,
    mux: {
      ...route.mux,
      wildcards: names,
      bindings: route.mux.bindings.map((b) => ({ field: b.field, parts: b.parts.map((p) => ('wildcard' in p ? { wildcard: map.get(p.wildcard)! } : p)) })),
    },
  };
}

/**
 * Whether two ServeMux paths overlap with neither more specific, which makes
 * ServeMux panic on registration: somewhere a literal of one meets a wildcard
 * of the other and elsewhere the other way round.
 */
export function conflicts(a: string[], b: string[]): boolean {
  return compareShapes(a, b) === 'neither';
}

/** How the request sets of two ServeMux paths relate: which one is more specific, or neither (a conflict when they overlap). */
export function compareShapes(a: string[], b: string[]): 'disjoint' | 'same' | 'a' | 'b' | 'neither' {
  let aMore = false;
  let bMore = false;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === '**' || y === '**') {
      if (x === '**' && y === '**') break;
      if (x === '**') bMore = true;
      else aMore = true;
      break;
    }
    if (x === undefined || y === undefined) return 'disjoint';
    if (x === '*' && y === '*') continue;
    if (x === '*') bMore = true;
    else if (y === '*') aMore = true;
    else if (x !== y) return 'disjoint';
  }
  return aMore && bMore ? 'neither' : aMore ? 'a' : bMore ? 'b' : 'same';
}

/** The methods of one path, by custom verb ("" without one), for its 405s. */
interface PathMethods {
  pattern: string;
  shape: string[];
  /** The wildcard the verb ends, when a rule of the path has one. */
  last?: string;
  byVerb: Map<string, string[]>;
}

/**
 * The paths of the route table with the methods each serves. A path gets a
 * method-less route that answers the other methods with 405 and an exact
 * Allow (custom verbs told apart, which ServeMux cannot), unless ServeMux
 * would find it in conflict with a route of another path.
 */
function pathMethods(groups: RouteGroup[]): PathMethods[] {
  const paths: PathMethods[] = [];
  const byShape = new Map<string, PathMethods>();
  for (const g of groups) {
    const key = g.shape.join('/');
    let p = byShape.get(key);
    if (!p) {
      p = { pattern: g.pattern, shape: g.shape, byVerb: new Map() };
      paths.push(p);
      byShape.set(key, p);
    }
    if (g.verbs.size > 0 && p.last === undefined) {
      // Wildcard names may differ between methods: the verb sits in the last one of this path's pattern.
      const names = [...p.pattern.matchAll(/\{(\w+)(?:\.\.\.)?\}/g)].map((m) => m[1]!);
      p.last = names[names.length - 1];
    }
    const add = (verb: string) => {
      const list = p.byVerb.get(verb) ?? [];
      if (!list.includes(g.httpMethod)) list.push(g.httpMethod);
      p.byVerb.set(verb, list);
    };
    if (g.plain) add('');
    for (const verb of g.verbs.keys()) add(verb);
  }
  return paths.filter((p) =>
    groups.every((g) => {
      const rel = compareShapes(p.shape, g.shape);
      return rel === 'disjoint' || rel === 'same' || rel === 'b';
    }) && paths.every((q) => q === p || compareShapes(p.shape, q.shape) !== 'neither'),
  );
}

/** `internal/gateway/routes.gen.go`: the route table over the service implementations. */
export function renderGateway(layout: ProtoLayout, warnings: string[]): Artifact[] {
  const groups = gatewayRoutes(layout, warnings);
  const f = new GoFile('internal/gateway/routes.gen.go', 'gateway');
  const http = groups.length > 0 ? f.use('net/http') : '';
  const handler = f.use(`${layout.module}/internal/handler`);
  const params = [`opts Options`, ...layout.rpc.services.map((s) => {
    const p = layout.goPackage(s.file);
    return `${unexportedName(layout.serverName(s))} ${f.use(p.path, p.name)}.${layout.grpcName(s)}Server`;
  })];
  const routes: string[] = [];
  const paths = pathMethods(groups);
  const methodList = (methods: string[]) => `{${methods.map((m) => (METHOD_CONSTANTS[m] ? `${http}.${METHOD_CONSTANTS[m]}` : goString(m))).join(', ')}}`;
  const table = (p: PathMethods) => `{${[...p.byVerb].map(([verb, ms]) => `${goString(verb)}: ${methodList(ms)}`).join(', ')}}`;
  const pathIndex = new Map<string, number>();
  paths.forEach((p, i) => {
    const key = p.shape.join('/');
    if (!pathIndex.has(key)) pathIndex.set(key, i);
  });
  const shapeOfPattern = (pattern: string) => pathIndex.get(shapeOfMux(pattern).join('/')) ?? -1;
  for (const g of groups) {
    const method = METHOD_CONSTANTS[g.httpMethod] ? `${http}.${METHOD_CONSTANTS[g.httpMethod]}` : goString(g.httpMethod);
    const members = [...(g.plain ? [g.plain] : []), ...g.verbs.values()];
    const operation = members.map((r) => `${r.service.name}.${r.method.name}`).join(', ');
    const head = `\t\troute(${method}, ${goString(g.pattern)}, ${goString(operation)}, `;
    if (g.verbs.size === 0) {
      routes.push(`${head}${unary(layout, g.plain!)}),`);
      continue;
    }
    const at = shapeOfPattern(g.pattern);
    routes.push(`${head}verbs(${goString(g.last!)}, ${at >= 0 ? `paths[${at}]` : 'nil'}, ${g.plain ? unary(layout, g.plain) : 'nil'}, map[string]${http}.Handler{`);
    for (const [verb, r] of g.verbs) routes.push(`\t\t\t${goString(verb)}:\v${unary(layout, r)},`);
    routes.push('\t\t})),');
  }
  for (const [i, p] of paths.entries()) {
    routes.push(`\t\troute("", ${goString(p.pattern)}, "MethodNotAllowed", allow(${goString(p.last ?? '')}, paths[${i}])),`);
  }
  f.add(
    '// Routes returns the HTTP/JSON routes of the gRPC services, as the',
    "// contract's google.api.http annotations bind them, served by the given",
    '// implementations; opts are the request-body rules.',
    `func Routes(${params.join(', ')}) []${handler}.Route {`,
    ...(paths.length > 0 ? ['\t// The methods of each path, for the 405 of the others.', '\tpaths := []methods{', ...paths.map((p) => `\t\t${table(p)},`), '\t}'] : []),
    ...(routes.length === 0 ? [`\treturn nil`] : [`\treturn []${handler}.Route{`, ...routes, '\t}']),
    '}',
  );
  return [f.toArtifact(localImportPrefix(layout))];
}

function unary(layout: ProtoLayout, r: GatewayRoute): string {
  const fields: string[] = [];
  if (r.mux.bindings.length > 0) {
    const paths = r.mux.bindings.map((b) => {
      const parts = b.parts.map((p) => ('literal' in p ? goString(p.literal) : goString(`{${p.wildcard}}`)));
      return `{field: ${goString(b.field)}, parts: []string{${parts.join(', ')}}}`;
    });
    fields.push(`path: []pathField{${paths.join(', ')}}`);
  }
  if (r.rule.body) fields.push(`body: ${goString(r.rule.body)}`);
  if (r.rule.responseBody) fields.push(`responseBody: ${goString(r.rule.responseBody)}`);
  return `unary(opts, binding{${fields.join(', ')}}, ${unexportedName(layout.serverName(r.service))}.${goCamelCase(r.method.name)})`;
}
