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
