import type { AliasDecl, EnumDecl, ObjectDecl, TypeDecl, TypeRef, UnionDecl } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { comment, docComment, GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goRawString, goString, unexportedName } from './naming.js';
import { isTimeAlias, Validation, varDecl } from './validation.js';
import { appendedTypes, renderAppendJSON } from './appendjson.js';
import { decodedTypes, renderDecodeJSON } from './decodejson.js';
import { localImportPrefix } from '../runtimepkgs.js';

/**
 * One generated file per contract type in `pkg/models`, holding with it the
 * types of the inline schemas nested in it (see DeclPlacement).
 */
export function renderModels(gm: GoModel): Artifact[] {
  const files = new Map<string, TypeDecl[]>();
  for (const decl of gm.model.types) {
    const key = decl.inFileOf ?? decl.name;
    const group = files.get(key);
    if (group) group.push(decl);
    else files.set(key, [decl]);
  }
  const byName = new Map(gm.model.types.map((d) => [d.name, d]));
  const codecs = { appended: appendedTypes(gm), decoded: decodedTypes(gm) };
  const artifacts = [...files].map(([key, decls]) => {
    const owner = byName.get(key) ?? decls[0]!;
    const f = new GoFile(gm.fileName(gm.dirs.models, fileStem(gm.typeName(owner.name)), '.gen.go', MODELS_FILES), 'models');
    for (const decl of [owner, ...decls.filter((d) => d !== owner)]) renderType(gm, f, decl, codecs);
    return f.toArtifact(localImportPrefix(gm.settings));
  });
  const shapes = renderShapes(gm);
  return shapes ? [...artifacts, shapes.toArtifact(localImportPrefix(gm.settings))] : artifacts;
}

/** The hand-written files of pkg/models, whose names generated files must not take. */
const MODELS_FILES = ['validation.go', 'request.go', 'bodyscan.go', 'appendjson.go', 'decodejson.go'];

/**
 * `pkg/models/shapes.gen.go`: what a request body may hold for each contract
 * type (nullable, readOnly and required properties, closed objects, union
 * variants), for CheckBody in request.go. A JSON table, one type a line
 * (its format is described at bodyShapeTable): as Go statements, GitHub's
 * 7,000 types made pkg/models take ten minutes and 3 GB more to compile.
 */
export function renderShapes(gm: GoModel): GoFile | undefined {
  if (gm.model.types.length === 0) return undefined;
  const f = new GoFile(gm.fileName(gm.dirs.models, 'shapes', '.gen.go', MODELS_FILES), 'models');
  const lines = gm.model.types.map((decl) => `${JSON.stringify(gm.typeName(decl.name))}:${JSON.stringify(shapeEntry(gm, decl))}`);
  f.add('func init() {', `\tbodyShapeTable = ${goRawString(`{\n${lines.join(',\n')}\n}`)}`, '}');
  return f;
}

/** A type's line of bodyShapeTable. */
function shapeEntry(gm: GoModel, decl: TypeDecl): Record<string, unknown> {
  switch (decl.kind) {
    case 'object': {
      const fields = decl.fields.map((fl) => [fl.name, shapeCode(gm, fl.type), `${fl.nullable ? 'n' : ''}${fl.readOnly ? 'r' : ''}${fl.required && !fl.readOnly ? 'q' : ''}`]);
      return decl.closed ? { k: 'o', c: true, f: fields } : { k: 'o', f: fields };
    }
    case 'union': {
      const variants = decl.variants.map((v) => [shapeCode(gm, v.type), ...(decl.discriminator ? v.tags : [])]);
      return decl.discriminator ? { k: 'u', d: decl.discriminator, u: variants } : { k: 'u', u: variants };
    }
    case 'enum':
      return { k: 't', t: 's' };
    case 'alias':
      return { k: 't', t: shapeCode(gm, decl.type) };
  }
}

/** A type reference in bodyShapeTable: s, *, @Name, [items or {values. */
function shapeCode(gm: GoModel, ref: TypeRef): string {
  switch (ref.kind) {
    case 'scalar':
      return 's';
    case 'any':
      return '*';
    case 'named':
      return `@${gm.typeName(ref.name)}`;
    case 'array':
      return `[${shapeCode(gm, ref.items)}`;
    case 'map':
      return `{${shapeCode(gm, ref.values)}`;
  }
}

/** The object types that get AppendJSON and decodeJSON. */
interface Codecs {
  appended: ReadonlySet<string>;
  decoded: ReadonlySet<string>;
}

function renderType(gm: GoModel, f: GoFile, decl: TypeDecl, codecs: Codecs): void {
  const name = gm.typeName(decl.name);
  switch (decl.kind) {
    case 'object':
      renderObject(gm, f, decl, name);
      if (codecs.appended.has(decl.name)) renderAppendJSON(gm, f, decl, name, codecs.appended);
      if (codecs.decoded.has(decl.name)) renderDecodeJSON(gm, f, decl, name);
      break;
    case 'enum':
      renderEnum(gm, f, decl, name);
      break;
    case 'alias':
      renderAlias(gm, f, decl, name);
      break;
    case 'union':
      renderUnion(gm, f, decl, name);
      break;
  }
}

function renderObject(gm: GoModel, f: GoFile, decl: ObjectDecl, name: string): void {
  const lines = [...docComment(name, decl.description, `is the ${decl.name} object of the contract.`), `type ${name} struct {`];
  decl.fields.forEach((field) => {
    if (field.description) lines.push(...comment(field.description, '\t'));
    const omit = field.required ? '' : ',omitempty';
    lines.push(`\t${gm.fieldName(decl, field)}\v${gm.fieldType(field, f)}\v\`json:"${field.name}${omit}"\``);
  });
  lines.push('}');
  f.add(...lines);

  const required = decl.fields.filter((fl) => fl.required && !fl.readOnly);
  if (required.length > 0) {
    const json = f.use('encoding/json');
    const errors = f.use('errors');
    const goName = (fl: (typeof required)[number]): string => gm.fieldName(decl, fl);
    f.add(
      `// UnmarshalJSON decodes a ${name} and reports the first required field that is missing.`,
      '// A null leaves it as it is, as for any struct; request bodies are checked',
      '// for nulls where the contract does not allow them by CheckBody. The body',
      '// is parsed once: each required property decodes through a requiredField',
      '// that records it was there.',
      `func (m *${name}) UnmarshalJSON(data []byte) error {`,
      `\tif string(data) == "null" {`,
      '\t\treturn nil',
      '\t}',
      `\ttype plain ${name}`,
      '\taux := struct {',
      '\t\t*plain',
      ...required.map((fl) => `\t\t${goName(fl)}\vrequiredField[${gm.fieldType(fl, f)}]\v\`json:"${fl.name}"\``),
      `\t}{`,
      `\t\tplain:\v(*plain)(m),`,
      ...required.map((fl) => `\t\t${goName(fl)}:\vrequiredField[${gm.fieldType(fl, f)}]{name: ${goString(fl.name)}, to: &m.${goName(fl)}},`),
      '\t}',
      `\terr := ${json}.Unmarshal(data, &aux)`,
      '\t// Malformed JSON, or not an object: nothing was decoded.',
      `\tvar syntaxErr *${json}.SyntaxError`,
      `\tvar typeErr *${json}.UnmarshalTypeError`,
      `\tif ${errors}.As(err, &syntaxErr) || (${errors}.As(err, &typeErr) && typeErr.Field == "") {`,
      '\t\treturn err',
      '\t}',
      `\treturn requiredResult(err, ${required.map((fl) => `&aux.${goName(fl)}`).join(', ')})`,
      `}`,
      '',
      '// unmarshalChecked decodes a body CheckBody passed, which has every',
      '// required property: without the check of UnmarshalJSON, in one parse',
      '// (UnmarshalChecked).',
      `func (m *${name}) unmarshalChecked(data []byte) error {`,
      `\ttype plain ${name}`,
      `\treturn ${json}.Unmarshal(data, (*plain)(m))`,
      `}`,
    );
  }

  const v = new Validation(gm, f);
  if (!v.typeNeedsCheck(decl.name)) return;
  const body: string[] = [];
  for (const field of decl.fields) {
    const fieldName = gm.fieldName(decl, field);
    const pointer = gm.fieldIsPointer(field);
    const check = {
      expr: pointer ? `*m.${fieldName}` : `m.${fieldName}`,
      ref: field.type,
      constraints: field.constraints,
      path: goString(field.name),
      // Named only when a pattern needs a variable: most fields have none.
      get patternVar() {
        return unexportedName(`${name}${fieldName}`);
      },
    };
    const stmts = v.check(check, pointer ? '\t\t' : '\t');
    if (stmts.length === 0) continue;
    if (pointer) body.push(`\tif m.${fieldName} != nil {`, ...stmts, '\t}');
    else body.push(...stmts);
  }
  if (v.vars.length > 0) f.add(...varDecl(v.vars));
  f.add(`// Validate checks ${name} against the constraints of the contract.`, `func (m *${name}) Validate() error {`, ...body, '\treturn nil', '}');
}

function renderEnum(gm: GoModel, f: GoFile, decl: EnumDecl, name: string): void {
  const base = decl.base === 'int' ? 'int' : 'string';
  f.add(...docComment(name, decl.description, `enumerates the values the contract allows.`), `type ${name} ${base}`);
  const idents = gm.enumConsts(decl);
  const consts = decl.values.map((v, i) => ({ ident: idents[i]!, literal: typeof v.value === 'number' ? String(v.value) : goString(v.value) }));
  f.add(`// The values of ${name}.`, 'const (', ...consts.map((c) => `\t${c.ident}\v${name}\v= ${c.literal}`), ')');
  // One value is a comparison (gocritic: singleCaseSwitch), several a switch.
  const check =
    consts.length === 1
      ? [`\treturn v == ${consts[0]!.ident}`]
      : ['\tswitch v {', `\tcase ${consts.map((c) => c.ident).join(', ')}:`, '\t\treturn true', '\t}', '\treturn false'];
  f.add(`// Valid reports whether v is one of the values of ${name}.`, `func (v ${name}) Valid() bool {`, ...check, '}');
}

function renderAlias(gm: GoModel, f: GoFile, decl: AliasDecl, name: string): void {
  const v = new Validation(gm, f);
  const checked = v.needsCheck(decl.type, decl.constraints);
  const alias = isTimeAlias(decl) ? ' =' : '';
  f.add(...docComment(name, decl.description, `is the ${decl.name} type of the contract.`), `type ${name}${alias} ${gm.goType(decl.type, f)}`);
  if (!checked) return;
  const base = gm.goType(decl.type, f);
  const stmts = v.check({ expr: `${base}(v)`, ref: decl.type, constraints: decl.constraints, path: '""', patternVar: unexportedName(name) }, '\t');
  if (v.vars.length > 0) f.add(...varDecl(v.vars));
  f.add(`// Validate checks ${name} against the constraints of the contract.`, `func (v ${name}) Validate() error {`, ...stmts, '\treturn nil', '}');
}

/**
 * A oneOf/anyOf as a Go sum type: a struct with one field per variant, of
 * which exactly one is set, and JSON methods that encode the set variant and
 * decode by the discriminator, or else by trying the variants in order.
 */
function renderUnion(gm: GoModel, f: GoFile, decl: UnionDecl, name: string): void {
  const json = f.use('encoding/json');
  const fields = gm.unionFields(decl);
  const types = decl.variants.map((v) => {
    const t = gm.goType(v.type, f);
    return v.type.kind === 'array' || v.type.kind === 'map' || v.type.kind === 'any' ? t : `*${t}`;
  });
  const list = fields.join(', ');
  f.add(
    ...docComment(name, decl.description, `is one of ${list}.`),
    '//',
    '// Exactly one field is set.',
    `type ${name} struct {`,
    ...fields.map((fl, i) => `\t${fl}\v${types[i]}`),
    '}',
  );
  f.add(
    `// MarshalJSON encodes the variant that is set; a ${name} with none is null.`,
    `func (u ${name}) MarshalJSON() ([]byte, error) {`,
    '\tswitch {',
    ...fields.flatMap((fl) => [`\tcase u.${fl} != nil:`, `\t\treturn ${json}.Marshal(u.${fl})`]),
    '\t}',
    '\treturn []byte("null"), nil',
    '}',
  );
  const disc = decl.discriminator;
  if (disc) {
    const cases = decl.variants.flatMap((v, i) => {
      const t = types[i]!.replace(/^\*/, '');
      const body = types[i]!.startsWith('*')
        ? [`\t\tu.${fields[i]} = new(${t})`, `\t\treturn ${json}.Unmarshal(data, u.${fields[i]})`]
        : [`\t\treturn ${json}.Unmarshal(data, &u.${fields[i]})`];
      return [`\tcase ${v.tags.map(goString).join(', ')}:`, ...body];
    });
    f.add(
      `// UnmarshalJSON decodes the variant that the ${goString(disc)} property names.`,
      `func (u *${name}) UnmarshalJSON(data []byte) error {`,
      `\t*u = ${name}{}`,
      '\tvar probe struct {',
      `\t\tTag string \`json:${goString(disc)}\``,
      '\t}',
      `\tif err := ${json}.Unmarshal(data, &probe); err != nil {`,
      '\t\treturn err',
      '\t}',
      '\tswitch probe.Tag {',
      ...cases,
      '\t}',
      `\treturn Invalid(${goString(disc)}, ${f.use('fmt')}.Sprintf("has the unknown value %q", probe.Tag))`,
      '}',
    );
  } else {
    const tries = (strict: boolean) =>
      decl.variants.flatMap((_, i) => {
        const t = types[i]!.replace(/^\*/, '');
        return [
          `\tif v, err := decodeAs[${t}](data, ${strict}); err == nil {`,
          `\t\tu.${fields[i]} = ${types[i]!.startsWith('*') ? 'v' : '*v'}`,
          '\t\treturn nil',
          '\t}',
        ];
      });
    f.add(
      '// UnmarshalJSON decodes the first variant the data fits exactly (no unknown',
      '// fields), or else the first that decodes at all.',
      `func (u *${name}) UnmarshalJSON(data []byte) error {`,
      `\t*u = ${name}{}`,
      '\tif string(data) == "null" {',
      '\t\treturn nil',
      '\t}',
      ...tries(true),
      ...tries(false),
      `\treturn Invalid("", ${goString(`does not match any of ${list}`)})`,
      '}',
    );
  }
  const v = new Validation(gm, f);
  if (!v.typeNeedsCheck(decl.name)) return;
  const cases: { cond: string; stmts: string[] }[] = [];
  decl.variants.forEach((variant, i) => {
    const pointer = types[i]!.startsWith('*');
    const stmts = v.check({ expr: pointer ? `*u.${fields[i]}` : `u.${fields[i]}`, ref: variant.type, constraints: variant.constraints, path: '""', patternVar: unexportedName(`${name}${fields[i]}`) }, '\t\t');
    if (stmts.length > 0) cases.push({ cond: `u.${fields[i]} != nil`, stmts });
  });
  // One constrained variant is an if (gocritic's singleCaseSwitch), several a switch.
  const body =
    cases.length === 1
      ? [`\tif ${cases[0]!.cond} {`, ...cases[0]!.stmts, '\t}']
      : ['\tswitch {', ...cases.flatMap((c) => [`\tcase ${c.cond}:`, ...c.stmts]), '\t}'];
  if (v.vars.length > 0) f.add(...varDecl(v.vars));
  f.add(`// Validate checks the variant that is set against the constraints of the contract.`, `func (u *${name}) Validate() error {`, ...body, '\treturn nil', '}');
}
