import type { AliasDecl, EnumDecl, ObjectDecl, TypeDecl } from '../../model/types.js';
import type { Artifact } from '../artifact.js';
import { comment, docComment, GoFile } from './gofile.js';
import type { GoModel } from './gomodel.js';
import { fileStem, goString, unexportedName } from './naming.js';
import { Validation } from './validation.js';

/** One generated file per contract type in `pkg/models`. */
export function renderModels(gm: GoModel): Artifact[] {
  return gm.model.types.map((decl) => renderType(gm, decl).toArtifact(gm.settings.module));
}

function renderType(gm: GoModel, decl: TypeDecl): GoFile {
  const name = gm.typeName(decl.name);
  const f = new GoFile(`pkg/models/${fileStem(name)}.gen.go`, 'models');
  switch (decl.kind) {
    case 'object':
      renderObject(gm, f, decl, name);
      break;
    case 'enum':
      renderEnum(gm, f, decl, name);
      break;
    case 'alias':
      renderAlias(gm, f, decl, name);
      break;
  }
  return f;
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
    f.add(
      `// UnmarshalJSON decodes a ${name} and reports the first required field that is missing.`,
      `func (m *${name}) UnmarshalJSON(data []byte) error {`,
      `\tvar present map[string]${json}.RawMessage`,
      `\tif err := ${json}.Unmarshal(data, &present); err != nil {`,
      `\t\treturn err`,
      `\t}`,
      `\tfor _, field := range [...]string{${required.map((fl) => goString(fl.name)).join(', ')}} {`,
      `\t\tif _, ok := present[field]; !ok {`,
      `\t\t\treturn Invalid(field, "is required")`,
      `\t\t}`,
      `\t}`,
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
    const pointer = gm.isPointer(field.type, field.required, field.nullable);
    const check = {
      expr: pointer ? `*m.${fieldName}` : `m.${fieldName}`,
      ref: field.type,
      constraints: field.constraints,
      path: goString(field.name),
      patternVar: unexportedName(`${name}${fieldName}`),
    };
    const stmts = v.check(check, pointer ? '\t\t' : '\t');
    if (stmts.length === 0) continue;
    if (pointer) body.push(`\tif m.${fieldName} != nil {`, ...stmts, '\t}');
    else body.push(...stmts);
  }
  if (v.vars.length === 1) f.add(`var ${v.vars[0]}`);
  else if (v.vars.length > 1) f.add('var (', ...v.vars.map((x) => `\t${x}`), ')');
  f.add(`// Validate checks ${name} against the constraints of the contract.`, `func (m *${name}) Validate() error {`, ...body, '\treturn nil', '}');
}

function renderEnum(gm: GoModel, f: GoFile, decl: EnumDecl, name: string): void {
  const base = decl.base === 'int' ? 'int' : 'string';
  f.add(...docComment(name, decl.description, `enumerates the values the contract allows.`), `type ${name} ${base}`);
  const idents = gm.enumConsts(decl);
  const consts = decl.values.map((v, i) => ({ ident: idents[i]!, literal: typeof v.value === 'number' ? String(v.value) : goString(v.value) }));
  f.add(`// The values of ${name}.`, 'const (', ...consts.map((c) => `\t${c.ident}\v${name}\v= ${c.literal}`), ')');
  f.add(
    `// Valid reports whether v is one of the values of ${name}.`,
    `func (v ${name}) Valid() bool {`,
    '\tswitch v {',
    `\tcase ${consts.map((c) => c.ident).join(', ')}:`,
    '\t\treturn true',
    '\t}',
    '\treturn false',
    '}',
  );
}

function renderAlias(gm: GoModel, f: GoFile, decl: AliasDecl, name: string): void {
  f.add(...docComment(name, decl.description, `is the ${decl.name} type of the contract.`), `type ${name} ${gm.goType(decl.type, f)}`);
  const v = new Validation(gm, f);
  if (!v.needsCheck(decl.type, decl.constraints)) return;
  const base = gm.goType(decl.type, f);
  const stmts = v.check({ expr: `${base}(v)`, ref: decl.type, constraints: decl.constraints, path: '""', patternVar: unexportedName(name) }, '\t');
  if (v.vars.length > 0) f.add(...v.vars.map((x) => `var ${x}`));
  f.add(`// Validate checks ${name} against the constraints of the contract.`, `func (v ${name}) Validate() error {`, ...stmts, '\treturn nil', '}');
}
