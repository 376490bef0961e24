import { StructureKind, type InterfaceDeclarationStructure, type PropertySignatureStructure, type StatementStructures, type TypeAliasDeclarationStructure, type WriterFunction } from 'ts-morph';
import type { EnumDecl, Field, ObjectDecl, TypeDecl, TypeRef, UnionDecl } from '../../model/types.js';
import { propertyName, tsString, type TsNames } from './names.js';

/**
 * TypeScript types of the contract's schemas (src/models.ts): an interface per
 * object, a string-literal (or number-literal) union per enum, a union per
 * oneOf/anyOf (discriminated by the discriminator property, when there is
 * one), a type alias per alias. Property names are the wire names, so a JSON
 * body is the value itself: nothing is mapped at run time.
 */
export function modelStatements(names: TsNames): StatementStructures[] {
  const circular = circularAliases(names);
  return names.model.types.map((t) => declaration(names, t, circular));
}

/** The TypeScript type of a reference; `qualifier` prefixes named types (`models.`) outside models.ts. */
export function tsType(names: TsNames, ref: TypeRef, qualifier = ''): string {
  switch (ref.kind) {
    case 'scalar':
      switch (ref.scalar) {
        case 'bool':
          return 'boolean';
        case 'int32':
        case 'int64':
        case 'float32':
        case 'float64':
          return 'number';
        default:
          // date-time, date, uuid and bytes (base64) travel as JSON strings.
          return 'string';
      }
    case 'named':
      return `${qualifier}${names.typeName(ref.name)}`;
    case 'array': {
      const item = tsType(names, ref.items, qualifier);
      return /^[A-Za-z0-9_.[\]]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'map':
      // An index signature (not Record<>) so a type alias may refer to itself through it.
      return `{ [key: string]: ${tsType(names, ref.values, qualifier)} }`;
    case 'any':
      return 'unknown';
  }
}

/** A JSDoc body: the text, safe inside a comment. */
export function docText(...parts: (string | undefined)[]): string | undefined {
  const text = parts
    .filter((p): p is string => p !== undefined && p.trim() !== '')
    .join('\n\n')
    .replace(/\*\//g, '*\\/')
    .trim();
  return text === '' ? undefined : text;
}

function docs(...parts: (string | undefined)[]): string[] {
  const text = docText(...parts);
  return text === undefined ? [] : [text];
}

function declaration(names: TsNames, t: TypeDecl, circular: ReadonlySet<string>): StatementStructures {
  const name = names.typeName(t.name);
  if (circular.has(t.name)) {
    return alias(name, 'unknown', docs(t.description, `\`${t.name}\` refers to itself with no object in between, which TypeScript cannot express.`));
  }
  switch (t.kind) {
    case 'object':
      return objectInterface(names, name, t);
    case 'enum':
      return alias(name, enumType(t), docs(t.description));
    case 'alias':
      return alias(name, tsType(names, t.type), docs(t.description));
    case 'union':
      return alias(name, unionType(names, t), docs(t.description));
  }
}

function alias(name: string, type: string | WriterFunction, doc: string[]): TypeAliasDeclarationStructure {
  return { kind: StructureKind.TypeAlias, name, isExported: true, type, docs: doc };
}

function objectInterface(names: TsNames, name: string, t: ObjectDecl): InterfaceDeclarationStructure {
  const s: InterfaceDeclarationStructure = {
    kind: StructureKind.Interface,
    name,
    isExported: true,
    docs: docs(t.description),
    properties: t.fields.map((f) => property(names, f)),
  };
  // An object that declares nothing takes any members (or none, when closed).
  if (t.fields.length === 0) s.indexSignatures = [{ keyName: 'key', keyType: 'string', returnType: t.closed ? 'never' : 'unknown' }];
  return s;
}

function property(names: TsNames, f: Field): PropertySignatureStructure {
  const type = tsType(names, f.type);
  return {
    kind: StructureKind.PropertySignature,
    name: propertyName(f.name),
    type: f.nullable ? `${type} | null` : type,
    hasQuestionToken: !f.required,
    docs: docs(f.description, f.readOnly ? 'Set by the server; ignored in requests.' : undefined),
  };
}

function enumType(t: EnumDecl): string {
  // A value no literal type can spell (NaN, Infinity) widens the enum to its base type.
  if (t.values.length === 0 || t.values.some((v) => typeof v.value === 'number' && !Number.isFinite(v.value))) return t.base === 'int' ? 'number' : 'string';
  return t.values.map((v) => (typeof v.value === 'number' ? String(v.value) : tsString(v.value))).join(' | ');
}

/**
 * A discriminated union gives each variant its tag as a literal-typed
 * property, `(Cat & { petType: 'cat' }) | (Dog & { petType: 'dog' })`, so a
 * switch on the property narrows; without a discriminator the union is plain.
 */
function unionType(names: TsNames, t: UnionDecl): string | WriterFunction {
  if (t.variants.length === 0) return 'unknown';
  const members = t.variants.map((v) => {
    const type = tsType(names, v.type);
    if (t.discriminator === undefined || v.tags.length === 0) return type;
    const tag = `{ ${propertyName(t.discriminator)}: ${v.tags.map(tsString).join(' | ')} }`;
    return `(${type} & ${tag})`;
  });
  const flat = [...new Set(members)];
  if (flat.join(' | ').length <= 80) return flat.join(' | ');
  return (w) => {
    w.indent(() => {
      for (const m of flat) w.newLine().write(`| ${m}`);
    });
  };
}

/**
 * Aliases and unions that reach themselves through other aliases and unions
 * only (`type A = B; type B = A | string`): TypeScript rejects them, so they
 * become `unknown`. A path through an object, array or map is fine.
 */
function circularAliases(names: TsNames): Set<string> {
  const direct = (t: TypeDecl): string[] => {
    const refs = t.kind === 'alias' ? [t.type] : t.kind === 'union' ? t.variants.map((v) => v.type) : [];
    return refs.flatMap((r) => (r.kind === 'named' ? [r.name] : []));
  };
  const out = new Set<string>();
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, stack: string[]) => {
    state.set(name, 'visiting');
    const d = names.decl(name);
    for (const next of d ? direct(d) : []) {
      if (state.get(next) === 'visiting') {
        for (const n of stack.slice(stack.indexOf(next))) out.add(n);
        out.add(name);
      } else if (!state.has(next)) visit(next, [...stack, next]);
    }
    state.set(name, 'done');
  };
  for (const t of names.model.types) if (!state.has(t.name)) visit(t.name, [t.name]);
  return out;
}
