import { Ajv } from 'ajv';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import { errorShape, errorTable, renderErrors, type MemberSpec, type ShapeSpec } from '../../src/render/go/errors.js';
import { GoModel } from '../../src/render/go/gomodel.js';

const CONTRACT = `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}
        default: {description: error, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
    post:
      operationId: addPet
      requestBody: {required: true, content: {application/json: {schema: {type: object, properties: {name: {type: string}}}}}}
      responses:
        '201': {description: ok}
        '400': {description: bad, content: {application/json: {schema: {$ref: '#/components/schemas/Validation'}}}}
        '404': {description: gone}
        4XX: {description: client, content: {application/vnd.api+json: {schema: {$ref: '#/components/schemas/Nested'}}}}
        5XX: {description: server, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
  /pets/{id}:
    get:
      operationId: getPet
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok}
        default: {description: error, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
  /text:
    get:
      operationId: text
      responses:
        '200': {description: ok}
        '400': {description: bad, content: {application/json: {schema: {$ref: '#/components/schemas/Message'}}}}
        '404': {description: gone, content: {application/json: {schema: {$ref: '#/components/schemas/Either'}}}}
        '409': {description: conflict, content: {application/json: {schema: {$ref: '#/components/schemas/Bounded'}}}}
        '422': {description: invalid, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Rfc'}}}}
        '429': {description: slow down, content: {application/json: {schema: {$ref: '#/components/schemas/Rfc'}}}}
        default: {description: problem, content: {application/problem+json: {}}}
components:
  schemas:
    Message: {type: string, maxLength: 12}
    Error:
      type: object
      required: [code, message]
      properties:
        code: {type: integer, format: int32}
        message: {type: string}
    Validation:
      type: object
      required: [error, errors, traceId]
      properties:
        error: {type: string}
        description: {type: string}
        traceId: {type: string, pattern: '^[0-9a-f]{8}$'}
        errors:
          type: array
          items:
            type: object
            required: [field, message, severity]
            properties:
              field: {type: string}
              message: {type: string}
              severity: {type: string, enum: [low, high]}
    Nested:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [kind]
          properties:
            kind: {type: string, enum: [api_error, card_error]}
    Problem:
      type: object
      required: [type, title, status, instance_id]
      properties:
        type: {type: string, format: uri}
        title: {type: string}
        status: {type: integer}
        detail: {type: string}
        instance_id: {type: string, format: uuid}
        request_id: {type: string}
    Rfc:
      type: object
      required: [type, title, status]
      properties:
        type: {type: string, format: uri-reference}
        title: {type: string}
        status: {type: integer}
        detail: {type: string}
        instance: {type: string}
    Either:
      oneOf:
        - {type: object, required: [a], properties: {a: {type: integer}}}
        - {type: object, required: [b], properties: {b: {type: string}}}
    Bounded:
      type: object
      required: [code, message, status]
      properties:
        code: {type: integer, minimum: 1000}
        status: {type: string, enum: [error]}
        message: {type: string, maxLength: 8}
        timestamp: {type: string, format: date-time}
`;

async function model(text = CONTRACT): Promise<GoModel> {
  const m = buildModel(await loadContract('/virtual/t.yaml', 'openapi', text, 't.yaml'), 't');
  return new GoModel(m, { name: 't', module: 'example.com/t', contract: 't.yaml', contractKind: 'openapi' });
}

function op(gm: GoModel, name: string) {
  return gm.model.operations.find((o) => o.name === name)!;
}

function shapeOf(gm: GoModel, opName: string, code: string): ShapeSpec | undefined {
  return errorTable(gm, op(gm, opName)).find(([c]) => c === code)![1];
}

/** What problem.Shape.encode writes (templates/service/internal/problem/shape.go.hbs), for the bodies checked here. */
interface TestProblem {
  status: number;
  code: string;
  title: string;
  detail: string;
  instance: string;
  requestID: string;
  errors: { field: string; detail: string }[];
}

function encode(s: ShapeSpec, p: TestProblem): unknown {
  if (s.body) return value(s.body, p) ?? JSON.parse(s.body.value!);
  if (!s.members) return { type: 'about:blank', title: p.title, status: p.status, detail: p.detail };
  return object(s.members, p);
}

function object(members: MemberSpec[], p: TestProblem, fe?: { field: string; detail: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of members) {
    const v = value(m, p, fe);
    if (v !== undefined) out[m.name] = v;
    else if (m.required) out[m.name] = JSON.parse(m.value!);
  }
  return out;
}

function value(m: MemberSpec, p: TestProblem, fe?: { field: string; detail: string }): unknown {
  const text = (s: string) => (s === '' ? undefined : m.maxLength && [...s].length > m.maxLength ? [...s].slice(0, m.maxLength - 1).join('') + '…' : s);
  switch (m.from) {
    case 'SourceValue':
      return JSON.parse(m.value!);
    case 'SourceStatus':
      return p.status;
    case 'SourceCode':
      return text(p.code);
    case 'SourceType':
      return text('about:blank');
    case 'SourceTitle':
      return text(p.title);
    case 'SourceDetail':
      return text(p.detail || p.title);
    case 'SourceInstance':
      return text(p.instance);
    case 'SourceRequestID':
      return text(p.requestID);
    case 'SourceTime':
      return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    case 'SourceErrors':
      return p.errors.length === 0 ? undefined : p.errors.map((e) => object(m.items!, p, e));
    case 'SourceField':
      return fe && text(fe.field);
    case 'SourceFieldDetail':
      return fe && text(fe.detail);
  }
}

const PROBLEMS: TestProblem[] = [
  { status: 400, code: 'invalid_argument', title: 'Bad Request', detail: 'name is required', instance: '/pets', requestID: 'r-1', errors: [{ field: 'name', detail: 'name is required' }] },
  { status: 404, code: 'not_found', title: 'Not Found', detail: '', instance: '/pets/7', requestID: '', errors: [] },
  { status: 503, code: 'unavailable', title: 'Service Unavailable', detail: 'the database is unavailable, try again later', instance: '/x', requestID: 'r', errors: [] },
];

describe('the error bodies a contract declares', () => {
  it('fills an Error{code, message} with the status and the detail', async () => {
    const gm = await model();
    expect(shapeOf(gm, 'listPets', 'default')).toEqual({
      contentType: 'application/json',
      members: [
        { name: 'code', from: 'SourceStatus', required: true, value: '1' },
        { name: 'message', from: 'SourceDetail', required: true, value: '"example"' },
      ],
    });
  });

  it('fills a list of field errors, and every other required member with an example', async () => {
    const gm = await model();
    expect(shapeOf(gm, 'addPet', '400')).toEqual({
      contentType: 'application/json',
      members: [
        { name: 'error', from: 'SourceCode', required: true, value: '"example"' },
        { name: 'description', from: 'SourceDetail', required: false, value: '"example"' },
        { name: 'traceId', from: 'SourceValue', required: true, value: expect.stringMatching(/^"[0-9a-f]{8}"$/) },
        {
          name: 'errors',
          from: 'SourceErrors',
          required: true,
          value: '[]',
          items: [
            { name: 'field', from: 'SourceField', required: true, value: '"example"' },
            { name: 'message', from: 'SourceFieldDetail', required: true, value: '"example"' },
            { name: 'severity', from: 'SourceValue', required: true, value: '"low"' },
          ],
        },
      ],
    });
  });

  it('keeps the declared media type, and problem details where nothing or problem+json without a schema is declared', async () => {
    const gm = await model();
    expect(shapeOf(gm, 'addPet', '4XX')?.contentType).toBe('application/vnd.api+json');
    expect(shapeOf(gm, 'addPet', '404')).toBeUndefined();
    expect(shapeOf(gm, 'text', 'default')).toBeUndefined();
    // A problem schema the RFC 9457 body satisfies: that body, extension members and all, as declared.
    expect(shapeOf(gm, 'text', '422')).toBeUndefined();
    expect(shapeOf(gm, 'text', '429')).toEqual({ contentType: 'application/json' });
    expect(shapeOf(gm, 'addPet', '5XX')).toMatchObject({
      contentType: 'application/problem+json',
      members: [
        { name: 'type', from: 'SourceType' },
        { name: 'title', from: 'SourceTitle' },
        { name: 'status', from: 'SourceStatus' },
        { name: 'detail', from: 'SourceDetail' },
        { name: 'instance_id', from: 'SourceValue', value: expect.stringMatching(/^"[0-9a-f-]{36}"$/) },
        { name: 'request_id', from: 'SourceRequestID' },
      ],
    });
  });

  it('takes examples where the constraints leave no room, and caps strings at maxLength', async () => {
    const gm = await model();
    expect(shapeOf(gm, 'text', '400')).toEqual({ contentType: 'application/json', body: { name: 'body', from: 'SourceDetail', required: true, value: '"example"', maxLength: 12 } });
    expect(shapeOf(gm, 'text', '404')?.body).toMatchObject({ from: 'SourceValue', value: '{"a":1}' });
    expect(shapeOf(gm, 'text', '409')?.members).toEqual([
      { name: 'code', from: 'SourceValue', required: true, value: '1000' },
      { name: 'status', from: 'SourceValue', required: true, value: '"error"' },
      { name: 'message', from: 'SourceDetail', required: true, value: '"example"', maxLength: 8 },
      { name: 'timestamp', from: 'SourceTime', required: false, value: '"2024-01-02T15:04:05Z"' },
    ]);
  });

  it('fills bodies that validate against the declared schemas', async () => {
    const gm = await model();
    const doc = load(CONTRACT) as { components: { schemas: Record<string, unknown> } };
    const ajv = new Ajv({ strict: false, allErrors: true, formats: { uri: /^[a-z][a-z0-9+.-]*:/i, uuid: /^[0-9a-f-]{36}$/, 'date-time': /^\d{4}-\d\d-\d\dT/, int32: true } });
    let checked = 0;
    for (const o of gm.model.operations) {
      for (const r of [o.success, ...o.otherResponses]) {
        const shape = r.status === 0 || r.status >= 400 ? errorShape(gm, r) : undefined;
        if (!shape) continue;
        const raw = (load(CONTRACT) as any).paths[o.path][o.method.toLowerCase()].responses[r.code ?? String(r.status)].content[shape.contentType].schema;
        const validate = ajv.compile({ ...raw, components: doc.components });
        for (const p of PROBLEMS) {
          const body = encode(shape, p);
          expect(validate(body), `${o.name} ${r.code} ${JSON.stringify(body)}: ${ajv.errorsText(validate.errors)}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBe(3 * 9);
  });
});

describe('ErrorFormat', () => {
  it('dispatches by route when operations declare different bodies, unmatched requests taking the most common', async () => {
    const gm = await model();
    const go = renderErrors(gm).content;
    expect(go).toContain('errorResponses1 = errorResponses{"default": errorShape1}');
    expect(go).toContain('{"GET /pets", errorResponses1},');
    expect(go).toContain('{"GET /pets/{id}", errorResponses1},');
    expect(go).toContain('{"POST /pets", errorResponses2},');
    expect(go).toContain('return errorResponses1.shape(status)');
    expect(go).toContain('errorRoutes.Handler(r)');
  });

  it('is one table without routing when every operation declares the same, and nil when none declares a body', async () => {
    const one = renderErrors(await model(CONTRACT.replace(/ {2}\/pets:\n[\s\S]*?(?= {2}\/pets\/\{id\})/, '').replace(/ {2}\/text:[\s\S]*?(?=components:)/, ''))).content;
    expect(one).not.toContain('errorRoutes');
    expect(one).toContain('func ErrorFormat(_ *http.Request, status int) *problem.Shape {\n\treturn errorResponses1.shape(status)\n}');
    const none = renderErrors(await model(`openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200': {description: ok}
        '404': {description: gone}
`)).content;
    expect(none).toContain('func ErrorFormat(_ *http.Request, _ int) *problem.Shape {\n\treturn nil\n}');
  });
});
