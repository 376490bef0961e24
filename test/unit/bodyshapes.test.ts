import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import { GoModel } from '../../src/render/go/gomodel.js';
import { renderModels } from '../../src/render/go/models.js';
import { renderShapeTests } from '../../src/render/go/modeltests.js';

/** What a request body may hold, per contract type: given a contract, want the shapes CheckBody reads. */
const CONTRACT = `openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [id, name, tags]
      properties:
        id: {type: string, readOnly: true}
        name: {type: string}
        nickname: {type: [string, 'null']}
        age: {type: integer}
        tags: {type: array, items: {type: string}}
        owner: {$ref: '#/components/schemas/Owner'}
        toy:
          oneOf:
            - $ref: '#/components/schemas/Toy'
            - type: 'null'
        extra: {type: object, additionalProperties: true}
    Owner:
      type: object
      additionalProperties: false
      properties:
        name: {type: string}
    Toy:
      type: object
      properties:
        kind: {type: string, nullable: true}
    Animal:
      oneOf:
        - $ref: '#/components/schemas/Pet'
        - $ref: '#/components/schemas/Owner'
      discriminator:
        propertyName: kind
        mapping:
          pet: '#/components/schemas/Pet'
          owner: '#/components/schemas/Owner'
    Colour: {type: string, enum: [red, green]}
    Names: {type: array, items: {type: string}}
`;

async function generated(): Promise<{ files: Map<string, string>; gm: GoModel }> {
  const model = buildModel(await loadContract('/virtual/t.yaml', 'openapi', CONTRACT, 't.yaml'), 't');
  const gm = new GoModel(model, { name: 't', module: 'example.com/t', contract: 't.yaml', contractKind: 'openapi' });
  return { files: new Map(renderModels(gm).map((a) => [a.path, a.content])), gm };
}

describe('request body shapes', () => {
  it('registers every contract type with its nullable, readOnly and required properties', async () => {
    const shapes = (await generated()).files.get('pkg/models/shapes.gen.go');
    expect(shapes).toBeDefined();
    expect(shapes).toContain(
      '\n"Pet":{"k":"o","f":[["id","s","r"],["name","s","q"],["nickname","s","n"],["age","s",""],["tags","[s","q"],["owner","@Owner",""],["toy","@Toy","n"],["extra","{*",""]]},\n',
    );
  });

  it('marks additionalProperties: false objects closed', async () => {
    const shapes = (await generated()).files.get('pkg/models/shapes.gen.go')!;
    expect(shapes).toContain('\n"Owner":{"k":"o","c":true,"f":[["name","s",""]]},\n');
    expect(shapes).toContain('\n"Toy":{"k":"o","f":[["kind","s","n"]]}');
  });

  it('describes unions by their variants and discriminator values, enums and aliases by what they hold', async () => {
    const shapes = (await generated()).files.get('pkg/models/shapes.gen.go')!;
    expect(shapes).toContain('\n"Animal":{"k":"u","d":"kind","u":[["@Pet","pet"],["@Owner","owner"]]},\n');
    expect(shapes).toContain('\n"Colour":{"k":"t","t":"s"},\n');
    expect(shapes).toContain('\n"Names":{"k":"t","t":"[s"}');
  });

  it('writes the table as data for the Go compiler: one string, valid JSON', async () => {
    const shapes = (await generated()).files.get('pkg/models/shapes.gen.go')!;
    const table = /bodyShapeTable = `([^`]*)`/.exec(shapes)?.[1];
    expect(table).toBeDefined();
    expect(Object.keys(JSON.parse(table!)).sort()).toEqual(['Animal', 'Colour', 'Names', 'Owner', 'Pet', 'Toy']);
  });

  it('keeps a null variant of oneOf as a nullable (pointer) property', async () => {
    const pet = (await generated()).files.get('pkg/models/pet.gen.go')!;
    expect(pet).toMatch(/\tToy\s+\*Toy\s+`json:"toy,omitempty"`/);
  });

  it('lets UnmarshalJSON take null as no value, leaving nulls to CheckBody', async () => {
    const pet = (await generated()).files.get('pkg/models/pet.gen.go')!;
    expect(pet).toContain('func (m *Pet) UnmarshalJSON(data []byte) error {\n\tif string(data) == "null" {\n\t\treturn nil\n\t}\n');
  });

  it('writes contract tests: null refused where not nullable, unknown and readOnly properties by the rules', async () => {
    const { gm } = await generated();
    const [test] = renderShapeTests(gm);
    const text = test!.content;
    expect(text).toContain('{name: "Pet.name required null", into: &Pet{}, body: `{"name":null,"tags":["example"]}`, rules: BodyRules{}, field: "name"},');
    expect(text).toContain('{name: "Pet.age optional null", into: &Pet{}, body: `{"name":"example","tags":["example"],"age":null}`, rules: BodyRules{}, field: "age"},');
    expect(text).toContain('{name: "Pet.nickname nullable null", into: &Pet{}, body: `{"name":"example","tags":["example"],"nickname":null}`, rules: BodyRules{}, field: ""},');
    expect(text).toContain('{name: "Pet.id read-only rejected", into: &Pet{}, body: `{"name":"example","tags":["example"],"id":"example"}`, rules: BodyRules{RejectUnknown: true, RejectReadOnly: true}, field: "id"},');
    expect(text).toContain('{name: "Pet.id read-only ignored", into: &Pet{}, body: `{"name":"example","tags":["example"],"id":"example"}`, rules: BodyRules{}, field: ""},');
    // A closed object refuses an unknown property whatever the rules.
    expect(text).toContain('{name: "Owner unknown property ignored", into: &Owner{}, body: `{"svc_undeclared_property":1}`, rules: BodyRules{}, field: "svc_undeclared_property"},');
    expect(text).toContain('{name: "Pet unknown property ignored", into: &Pet{}, body: `{"name":"example","tags":["example"],"svc_undeclared_property":1}`, rules: BodyRules{}, field: ""},');
    // A free-form object is an object: null only when nullable.
    expect(text).toContain('{name: "Pet.extra optional null", into: &Pet{}, body: `{"name":"example","tags":["example"],"extra":null}`, rules: BodyRules{}, field: "extra"},');
  });

  it('keeps the helpers of request.go and decodejson.go out of the contract types\' names', async () => {
    const model = buildModel(
      await loadContract('/virtual/t.yaml', 'openapi', CONTRACT.replace('    Colour:', '    CheckBody: {type: string}\n    BodyRules: {type: string}\n    DecodeBody: {type: string}\n    UnmarshalChecked: {type: string}\n    Colour:'), 't.yaml'),
      't',
    );
    const gm = new GoModel(model, { name: 't', module: 'example.com/t', contract: 't.yaml', contractKind: 'openapi' });
    expect(gm.typeName('CheckBody')).toBe('CheckBody2');
    expect(gm.typeName('BodyRules')).toBe('BodyRules2');
    expect(gm.typeName('DecodeBody')).toBe('DecodeBody2');
    expect(gm.typeName('UnmarshalChecked')).toBe('UnmarshalChecked2');
  });
});
