/**
 * The generated test of the routes handler.Register dispatches: operations
 * whose path has parameters inside a segment (`/orders/{id}:approve`), and
 * those sharing their method and ServeMux pattern.
 */
import type { Operation } from '../../model/types.js';
import { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { concretePath, paramExample, requestBody, requiredHeaders, requiredQuery, serveRoutes } from './handlertests.js';
import { exportedName, goRawString, goString } from './naming.js';
import { runtimeImport } from '../runtimepkgs.js';
import { requestType } from './service.js';
import { segmentRoutes, type SegmentRoute } from './segments.js';

/** Whether a route's segments hold literal text, so that some value of its wildcards matches none of them. */
function literal(rt: SegmentRoute): boolean {
  return rt.segments.some((s) => s.parts.length > 3 || s.parts[0] !== '' || s.parts[s.parts.length - 1] !== '');
}

/**
 * `internal/handler/segments_gen_test.go`, when the contract has paths with
 * parameters inside a segment: a valid request to each such operation, and
 * to each operation sharing its method and pattern, reaches that operation
 * of the API (responsesFake) with its path parameters; a path whose segments
 * fit none of the routes of a pattern answers 404.
 */
export function segmentRouteTest(gm: GoModel): GoFile | undefined {
  const ops = gm.model.operations;
  const routes = segmentRoutes(ops);
  const key = (i: number) => `${ops[i]!.method} ${routes[i]!.pattern}`;
  const dispatched = new Set(routes.flatMap((rt, i) => (rt.segments.length > 0 ? [key(i)] : [])));
  if (dispatched.size === 0) return undefined;

  const f = new GoFile('internal/handler/segments_gen_test.go', 'handler');
  const http = f.use('net/http');
  const testing = f.use('testing');
  const httptest = f.use('net/http/httptest');
  const reflect = f.use('reflect');
  const fmt = f.use('fmt');
  const svc = f.use(`${gm.settings.module}/internal/service`);
  const apperrors = f.use(runtimeImport(gm.settings, 'errors'), 'apperrors');
  const method = (op: Operation) => `${http}.Method${op.method.charAt(0)}${op.method.slice(1).toLowerCase()}`;

  const cases = ops.flatMap((op, i) => {
    if (!dispatched.has(key(i))) return [];
    const headers = requiredHeaders(gm, op);
    const hdr = headers.length > 0 ? `, header: map[string]string{${headers.map(([k, v]) => `${goString(k)}: ${goString(v)}`).join(', ')}}` : '';
    const params = op.parameters
      .filter((p) => p.in === 'path')
      .map((p) => `${goString(gm.paramField(p))}: ${goString(String(paramExample(gm, p)))}`);
    return [
      `\t\t{name: ${goString(exportedName(op.name))}, method: ${method(op)}, path: ${goString(concretePath(gm, op) + requiredQuery(gm, op))}, body: ${goRawString(requestBody(gm, op))}${hdr}, request: ${svc}.${requestType(gm, op)}{}, params: map[string]string{${params.join(', ')}}},`,
    ];
  });
  // Patterns all of whose routes spell out literal text: a wildcard "x" fits none.
  const unmatched = [...dispatched].filter((k) => routes.every((rt, i) => key(i) !== k || literal(rt)));
  const misses = unmatched.map((k) => {
    const i = routes.findIndex((_, j) => key(j) === k);
    const path = routes[i]!.pattern.replace('{$}', '').replace(/\{[^}]+\}/g, 'x');
    return `\t\t{${method(ops[i]!)}, ${goString(path)}},`;
  });

  f.add(
    '// TestSegmentRoutes sends a valid request to every operation whose path has',
    '// parameters inside a segment, or shares its method and route pattern with',
    '// one, and checks that the operation it names gets it, with its path',
    "// parameters; and that a path none of a pattern's routes fits answers 404,",
    '// as ServeMux answers a path no pattern matches.',
    `func TestSegmentRoutes(t *${testing}.T) {`,
    `\tfake := &responsesFake{err: ${apperrors}.NotImplemented("the fake API")}`,
    ...serveRoutes(http, httptest, 'New(fake).Routes()'),
    '\tcases := []struct {',
    '\t\tname, method, path, body string',
    '\t\theader                   map[string]string',
    '\t\trequest                  any',
    '\t\tparams                   map[string]string',
    '\t}{',
    ...cases,
    '\t}',
    '\tfor _, tc := range cases {',
    `\t\tt.Run(tc.name, func(t *${testing}.T) {`,
    '\t\t\tfake.req = nil',
    '\t\t\tresp, data := doWithHeader(t, srv, tc.method, tc.path, tc.body, tc.header)',
    `\t\t\twantStatus(t, resp, data, ${http}.StatusNotImplemented)`,
    `\t\t\tif ${reflect}.TypeOf(fake.req) != ${reflect}.TypeOf(tc.request) {`,
    '\t\t\t\tt.Fatalf("%s %s reached the API as %T, want %T", tc.method, tc.path, fake.req, tc.request)',
    '\t\t\t}',
    `\t\t\tgot := ${reflect}.ValueOf(fake.req)`,
    '\t\t\tfor field, want := range tc.params {',
    `\t\t\t\tif v := ${fmt}.Sprint(${reflect}.Indirect(got.FieldByName(field)).Interface()); v != want {`,
    '\t\t\t\t\tt.Errorf("path parameter %s = %q, want %q", field, v, want)',
    '\t\t\t\t}',
    '\t\t\t}',
    '\t\t})',
    '\t}',
    ...(misses.length === 0
      ? []
      : [
          '\tfor _, tc := range []struct{ method, path string }{',
          ...misses,
          '\t} {',
          '\t\tresp, data := doWithHeader(t, srv, tc.method, tc.path, "", nil)',
          `\t\twantStatus(t, resp, data, ${http}.StatusNotFound)`,
          '\t}',
        ]),
    '}',
  );
  return f;
}
