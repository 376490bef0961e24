import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import { GoModel } from '../../src/render/go/gomodel.js';
import { renderModels } from '../../src/render/go/models.js';

const CONTRACT = `openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    CreatedAt: {type: string, format: date-time}
    Code: {type: string, minLength: 2}
`;

async function models(): Promise<Map<string, string>> {
  const model = buildModel(await loadContract('/virtual/t.yaml', 'openapi', CONTRACT, 't.yaml'), 't');
  const gm = new GoModel(model, { name: 't', module: 'example.com/t', contract: 't.yaml', contractKind: 'openapi' });
  return new Map(renderModels(gm).map((a) => [a.path, a.content]));
}

describe('named scalar types', () => {
  it('makes a named date-time an alias of time.Time, which keeps its JSON and UTC methods', async () => {
    const files = [...(await models()).values()].join('\n');
    expect(files).toContain('type CreatedAt = time.Time\n');
  });

  it('keeps a named type with constraints a type of its own, with Validate', async () => {
    const files = [...(await models()).values()].join('\n');
    expect(files).toContain('type Code string\n');
    expect(files).toContain('func (v Code) Validate() error {');
  });
});

const RESPONSES = `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
components:
  schemas:
    Code: {type: string, minLength: 2}
    Stamp: {type: string, format: date-time}
    Thing:
      type: object
      required: [code, when]
      properties:
        code: {$ref: '#/components/schemas/Code'}
        when: {type: string, format: date-time}
        labels: {type: object, additionalProperties: {type: string}}
        odd: {$ref: '#/components/schemas/Odd'}
        parts: {type: array, items: {$ref: '#/components/schemas/Part'}}
        'a<b': {type: integer}
        stamp: {$ref: '#/components/schemas/Stamp'}
    Part:
      type: object
      properties:
        size: {type: number}
    Odd:
      type: object
      properties:
        'x,y': {type: string}
    Unreached:
      type: object
      properties:
        name: {type: string}
`;

describe('AppendJSON', () => {
  async function files(): Promise<string> {
    const model = buildModel(await loadContract('/virtual/t.yaml', 'openapi', RESPONSES, 't.yaml'), 't');
    const gm = new GoModel(model, { name: 't', module: 'example.com/t', contract: 't.yaml', contractKind: 'openapi' });
    return renderModels(gm).map((a) => a.content).join('\n');
  }

  it('is generated on the types a response reaches, not on the others', async () => {
    const all = await files();
    expect(all).toContain('func (m *Thing) AppendJSON(b []byte) ([]byte, error) {');
    expect(all).toContain('func (m *Part) AppendJSON(b []byte) ([]byte, error) {');
    expect(all).not.toContain('func (m *Unreached) AppendJSON');
  });

  it('writes each field as encoding/json would: a named scalar by its base, a map through Marshal, an array of objects by their AppendJSON', async () => {
    const all = await files();
    expect(all).toContain('\tb = append(b, `,"code":`...)\n\tb = appendJSONString(b, string(m.Code))\n');
    expect(all).toContain('if b, err = appendJSONTime(b, m.When); err != nil {');
    // A named date-time is an alias of time.Time: its encoding as it is.
    expect(all).toContain('if b, err = appendJSONTime(b, *m.Stamp); err != nil {');
    expect(all).toContain('if b, err = appendJSONValue(b, &m.Labels); err != nil {');
    expect(all).toContain('if b, err = m.Parts[i].AppendJSON(b); err != nil {');
    // HTML's characters in a name are escaped, as encoding/json escapes them.
    expect(all).toContain('b = append(b, `,"a\\u003cb":`...)');
  });

  it('leaves a type with a name encoding/json does not take as a tag to Marshal, whole', async () => {
    const all = await files();
    expect(all).not.toContain('func (m *Odd) AppendJSON');
    expect(all).toContain('if b, err = appendJSONValue(b, m.Odd); err != nil {');
  });
});

const REQUESTS = `openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /orders:
    post:
      operationId: createOrder
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Order'}}}}
      responses:
        '204': {description: ok}
  /notes:
    post:
      operationId: createNote
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Note'}}}}
      responses:
        '204': {description: ok}
  /forms:
    post:
      operationId: sendForm
      requestBody: {required: true, content: {application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/Form'}}}}
      responses:
        '204': {description: ok}
components:
  schemas:
    Kind: {type: string, enum: [a, b]}
    Level: {type: integer, enum: [1, 2]}
    Code: {type: string, minLength: 2}
    Stamp: {type: string, format: date-time}
    Checked: {type: string, format: date-time, pattern: '^2'}
    Order:
      type: object
      required: [id, lines]
      properties:
        id: {type: string, readOnly: true}
        lines: {type: array, items: {$ref: '#/components/schemas/Line'}}
        kind: {$ref: '#/components/schemas/Kind'}
        level: {$ref: '#/components/schemas/Level'}
        code: {$ref: '#/components/schemas/Code'}
        stamp: {$ref: '#/components/schemas/Stamp'}
        count: {type: integer, format: int32}
        ratio: {type: number, format: float}
        urgent: {type: boolean}
        parent: {$ref: '#/components/schemas/Line'}
    Line:
      type: object
      required: [sku, qty]
      properties:
        sku: {type: string}
        qty: {type: integer, format: int64}
        tags: {type: array, items: {type: string}}
    Note:
      type: object
      properties:
        text: {type: string}
        meta: {type: object, additionalProperties: {type: string}}
        when: {$ref: '#/components/schemas/Checked'}
        sub: {$ref: '#/components/schemas/Sub'}
    Sub:
      type: object
      properties:
        text: {type: string}
    Form:
      type: object
      properties:
        name: {type: string}
`;

describe('decodeJSON', () => {
  async function files(): Promise<string> {
    const model = buildModel(await loadContract('/virtual/t.yaml', 'openapi', REQUESTS, 't.yaml'), 't');
    const gm = new GoModel(model, { name: 't', module: 'example.com/t', contract: 't.yaml', contractKind: 'openapi' });
    return renderModels(gm).map((a) => a.content).join('\n');
  }

  it('is generated on the types a JSON request body reaches whose every property has a direct form', async () => {
    const all = await files();
    expect(all).toContain('func (m *Order) decodeJSON(d *jsonDecoder) {');
    expect(all).toContain('func (m *Line) decodeJSON(d *jsonDecoder) {');
    // A map, and a checked date-time (a type of its own), have no direct form.
    expect(all).not.toContain('func (m *Note) decodeJSON');
    // A form body is not JSON.
    expect(all).not.toContain('func (m *Form) decodeJSON');
    // Only a body of Note reaches Sub, and Note has no decoder to call Sub's.
    expect(all).not.toContain('func (m *Sub) decodeJSON');
  });

  it('reads each property as encoding/json would and leaves readOnly ones to the whole way', async () => {
    const all = await files();
    const order = all.slice(all.indexOf('func (m *Order) decodeJSON'));
    expect(order).not.toContain('case "id":');
    expect(order).toContain('\t\tcase "lines":\n\t\t\td.seen(&seen, 1<<0)\n\t\t\tm.Lines = []Line{}\n\t\t\tfor item := d.openArray(); item; item = d.nextItem() {\n\t\t\t\tm.Lines = append(m.Lines, Line{})\n\t\t\t\tm.Lines[len(m.Lines)-1].decodeJSON(d)\n');
    expect(order).toContain('v := Kind(d.str())\n\t\t\tm.Kind = &v');
    expect(order).toContain('v := Level(d.integer(strconv.IntSize))');
    expect(order).toContain('v := Code(d.str())');
    expect(order).toContain('v := d.time()\n\t\t\tm.Stamp = &v');
    expect(order).toContain('v := int32(d.integer(32))');
    expect(order).toContain('v := float32(d.float(32))');
    expect(order).toContain('v := d.boolean()');
    expect(order).toContain('m.Parent = new(Line)\n\t\t\tm.Parent.decodeJSON(d)');
    // lines is the one required property it reads (id is readOnly).
    expect(order).toContain('if seen&0x1 != 0x1 {\n\t\td.fail()');
    const line = all.slice(all.indexOf('func (m *Line) decodeJSON'));
    expect(line).toContain('m.Qty = d.integer(64)');
    expect(line).toContain('if seen&0x3 != 0x3 {');
  });
});
