import type { Field, ObjectDecl, UnionDecl } from '../../model/types.js';
import { exampleFor } from '../../model/examples.js';
import type { Artifact } from '../artifact.js';
import { GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { goRawString, goString } from './naming.js';
import { localImportPrefix } from '../runtimepkgs.js';
import { appendedTypes } from './appendjson.js';
import { decodedTypes } from './decodejson.js';

/**
 * Tests of the generated sum types: every variant's example decodes, encodes
 * and decodes again to the same value; with a discriminator, it decodes into
 * the variant the discriminator names.
 */
export function renderModelTests(gm: GoModel): Artifact[] {
  return [...renderUnionTests(gm), ...renderShapeTests(gm), ...renderAppendTests(gm), ...renderDecodeTests(gm)];
}

/** How many types TestAppendJSON and TestDecodeBody check: every one of a contract of common size, bounded for large ones. */
const CODEC_TEST_TYPES = 100;

/**
 * `pkg/models/appendjson_gen_test.go`: the AppendJSON of the contract types
 * that have one, each held to encoding/json's Marshal on random values
 * (checkAppendJSON, in appendjson_test.go).
 */
function renderAppendTests(gm: GoModel): Artifact[] {
  return typesTest(gm, appendedTypes(gm), {
    file: 'appendjson_gen_test.go',
    doc: 'TestAppendJSON holds the AppendJSON of the contract types to encoding/json.',
    test: 'TestAppendJSON',
    iface: 'jsonAppendTest',
    check: 'checkAppendJSON',
  });
}

/**
 * `pkg/models/decodejson_gen_test.go`: the decodeJSON of the contract types
 * that have one, each held to CheckBody and encoding/json on random and
 * mutated bodies (checkDecodeBody, in decodejson_test.go).
 */
function renderDecodeTests(gm: GoModel): Artifact[] {
  return typesTest(gm, decodedTypes(gm), {
    file: 'decodejson_gen_test.go',
    doc: 'TestDecodeBody holds the decoders of the contract types to the whole way.',
    test: 'TestDecodeBody',
    iface: 'bodyDecoder',
    check: 'checkDecodeBody',
  });
}

/** A test in pkg/models running `check` on a new value of each of the types (up to CODEC_TEST_TYPES), as subtests by type name. */
function typesTest(gm: GoModel, types: ReadonlySet<string>, t: { file: string; doc: string; test: string; iface: string; check: string }): Artifact[] {
  const names = gm.model.types.filter((d) => types.has(d.name)).slice(0, CODEC_TEST_TYPES).map((d) => gm.typeName(d.name));
  if (names.length === 0) return [];
  const f = new GoFile(`pkg/models/${t.file}`, 'models');
  const testing = f.use('testing');
  const reflect = f.use('reflect');
  f.add(
    `// ${t.doc}`,
    `func ${t.test}(t *${testing}.T) {`,
    `\tfor _, v := range []${t.iface}{`,
    ...names.map((n) => `\t\tnew(${n}),`),
    '\t} {',
    `\t\tt.Run(${reflect}.TypeOf(v).Elem().Name(), func(t *${testing}.T) { ${t.check}(t, v) })`,
    '\t}',
    '}',
  );
  return [f.toArtifact(localImportPrefix(gm.settings))];
}

/** How many object types the shape tests exercise: enough to cover each rule, bounded for large contracts. */
const SHAPE_TEST_TYPES = 12;

/**
 * Tests of what a request body may hold for the contract's own object types:
 * an example passes; null in a property that is not nullable, an unknown
 * property (by the rules) and a readOnly property (by the rules) are refused
 * naming the property; null in a nullable property passes.
 */
export function renderShapeTests(gm: GoModel): Artifact[] {
  const objects = gm.model.types.filter((t): t is ObjectDecl => t.kind === 'object' && t.fields.length > 0).slice(0, SHAPE_TEST_TYPES);
  if (objects.length === 0) return [];
  const f = new GoFile('pkg/models/shapes_gen_test.go', 'models');
  const testing = f.use('testing');
  const json = f.use('encoding/json');
  const errors = f.use('errors');
  const cases: string[] = [];
  const strict = 'BodyRules{RejectUnknown: true, RejectReadOnly: true}';
  const lenient = 'BodyRules{}';
  const add = (name: string, into: string, body: unknown, rules: string, field: string) =>
    cases.push(`\t\t{name: ${goString(name)}, into: &${into}{}, body: ${goRawString(JSON.stringify(body))}, rules: ${rules}, field: ${goString(field)}},`);
  for (const decl of objects) {
    const type = gm.typeName(decl.name);
    const base = exampleOf(gm, decl);
    // A type that requires itself has no finite value: its example ends in null.
    if (containsNull(base)) continue;
    add(`${type} example`, type, base, decl.closed ? strict : 'BodyRules{RejectReadOnly: true}', '');
    const unknown = 'svc_undeclared_property';
    add(`${type} unknown property ignored`, type, { ...base, [unknown]: 1 }, lenient, decl.closed ? unknown : '');
    add(`${type} unknown property rejected`, type, { ...base, [unknown]: 1 }, strict, unknown);
    for (const field of decl.fields) {
      if (field.readOnly) {
        add(`${type}.${field.name} read-only rejected`, type, { ...base, [field.name]: fieldExample(gm, field) }, strict, field.name);
        add(`${type}.${field.name} read-only ignored`, type, { ...base, [field.name]: fieldExample(gm, field) }, lenient, '');
        continue;
      }
      if (field.type.kind === 'any') continue;
      const label = field.nullable ? 'nullable' : field.required ? 'required' : 'optional';
      add(`${type}.${field.name} ${label} null`, type, { ...base, [field.name]: null }, lenient, field.nullable ? '' : field.name);
    }
  }
  f.add(
    '// TestContractBodyRules checks what CheckBody lets through for the object',
    "// types of the contract: null only where a property is nullable, unknown",
    '// and readOnly properties as the rules say.',
    `func TestContractBodyRules(t *${testing}.T) {`,
    '\tcases := []struct {',
    '\t\tname  string',
    '\t\tinto  any',
    '\t\tbody  string',
    '\t\trules BodyRules',
    '\t\t// field is the property the error names; empty when the body passes.',
    '\t\tfield string',
    '\t}{',
    ...cases,
    '\t}',
    '\tfor _, tc := range cases {',
    `\t\tt.Run(tc.name, func(t *${testing}.T) {`,
    `\t\t\tif err := ${json}.Unmarshal([]byte(tc.body), tc.into); err != nil {`,
    '\t\t\t\tt.Fatalf("decode %s: %v", tc.body, err)',
    '\t\t\t}',
    '\t\t\t_, err := CheckBody([]byte(tc.body), tc.into, tc.rules)',
    '\t\t\tif tc.field == "" {',
    '\t\t\t\tif err != nil {',
    '\t\t\t\t\tt.Fatalf("CheckBody(%s) = %v, want no error", tc.body, err)',
    '\t\t\t\t}',
    '\t\t\t\treturn',
    '\t\t\t}',
    '\t\t\tvar ve *ValidationError',
    `\t\t\tif !${errors}.As(err, &ve) || ve.Field != tc.field {`,
    '\t\t\t\tt.Fatalf("CheckBody(%s) = %v, want an error naming %q", tc.body, err, tc.field)',
    '\t\t\t}',
    '\t\t})',
    '\t}',
    '}',
  );
  return [f.toArtifact(localImportPrefix(gm.settings))];
}

function containsNull(v: unknown): boolean {
  if (v === null) return true;
  if (Array.isArray(v)) return v.some(containsNull);
  if (typeof v === 'object') return Object.values(v as object).some(containsNull);
  return false;
}

/** A value of an object type with every writable required property. */
function exampleOf(gm: GoModel, decl: ObjectDecl): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of decl.fields) if (field.required && !field.readOnly) out[field.name] = fieldExample(gm, field);
  return out;
}

/** A property's example, unless the contract's is null (which the property may not allow). */
function fieldExample(gm: GoModel, field: Field): unknown {
  const own = field.example ?? field.default;
  return own !== undefined && own !== null ? own : exampleFor(field.type, gm.decls, field.constraints, 1);
}

function renderUnionTests(gm: GoModel): Artifact[] {
  const unions = gm.model.types.filter((t): t is UnionDecl => t.kind === 'union');
  if (unions.length === 0) return [];
  const f = new GoFile('pkg/models/unions_gen_test.go', 'models');
  const testing = f.use('testing');
  const json = f.use('encoding/json');
  for (const u of unions) {
    const name = gm.typeName(u.name);
    const fields = gm.unionFields(u);
    const cases = u.variants.map((v, i) => {
      let value = exampleFor(v.type, gm.decls, v.constraints);
      if (u.discriminator && v.tags[0] !== undefined && value && typeof value === 'object' && !Array.isArray(value)) {
        value = { ...value, [u.discriminator]: v.tags[0] };
      }
      const variant = u.discriminator ? goString(fields[i]!) : '""';
      return `\t\t{name: ${goString(fields[i]!)}, data: ${goRawString(JSON.stringify(value))}, variant: ${variant}},`;
    });
    f.add(
      `// Test${name}RoundTrip decodes an example of each variant, encodes it and`,
      '// decodes it again: both decoded values must be equal.',
      `func Test${name}RoundTrip(t *${testing}.T) {`,
      '\tcases := []struct {',
      '\t\tname, data string',
      '\t\t// variant is the field the discriminator selects; empty when there is none.',
      '\t\tvariant string',
      '\t}{',
      ...cases,
      '\t}',
      '\tfor _, tc := range cases {',
      `\t\tt.Run(tc.name, func(t *${testing}.T) {`,
      `\t\t\tvar first ${name}`,
      `\t\t\tif err := ${json}.Unmarshal([]byte(tc.data), &first); err != nil {`,
      '\t\t\t\tt.Fatalf("decode %s: %v", tc.data, err)',
      '\t\t\t}',
      `\t\t\tif tc.variant != "" && ${f.use('reflect')}.ValueOf(first).FieldByName(tc.variant).IsNil() {`,
      '\t\t\t\tt.Fatalf("%s decoded into the wrong variant: %+v", tc.data, first)',
      '\t\t\t}',
      `\t\t\tencoded, err := ${json}.Marshal(first)`,
      '\t\t\tif err != nil {',
      '\t\t\t\tt.Fatalf("encode: %v", err)',
      '\t\t\t}',
      `\t\t\tvar second ${name}`,
      `\t\t\tif err := ${json}.Unmarshal(encoded, &second); err != nil {`,
      '\t\t\t\tt.Fatalf("decode %s again: %v", encoded, err)',
      '\t\t\t}',
      `\t\t\tif !${f.use('reflect')}.DeepEqual(first, second) {`,
      '\t\t\t\tt.Fatalf("round trip changed the value: %+v became %+v", first, second)',
      '\t\t\t}',
      '\t\t})',
      '\t}',
      '}',
    );
  }
  return [f.toArtifact(localImportPrefix(gm.settings))];
}
