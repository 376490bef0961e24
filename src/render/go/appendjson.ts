import type { Field, ObjectDecl, TypeRef } from '../../model/types.js';
import type { GoFile } from './gofile.js';
import { SERVICE_DIRS, type GoModel } from './gomodel.js';
import { goRawString } from './naming.js';
import { isTimeAlias } from './validation.js';

/**
 * `AppendJSON` on the contract's object types that success responses reach:
 * what encoding/json's Marshal writes for the value, byte for byte, appended
 * without reflection (the handlers' writeJSON uses it when the value has it).
 * A field whose encoding has no direct form here (a map, a union, `any`,
 * bytes, a float32, an array of arrays) goes through Marshal on its own; a
 * type with a property name encoding/json would not take as a tag gets no
 * method, and Marshal encodes it whole. The runtime helpers are
 * `pkg/models/appendjson.go`; the generated test holds every method to
 * Marshal on random values.
 */

/** The object types of gm's contract that get AppendJSON: those a success response reaches, in a service's own models. */
export function appendedTypes(gm: GoModel): Set<string> {
  const out = new Set<string>();
  if (gm.dirs.models !== SERVICE_DIRS.models) return out;
  const seen = new Set<string>();
  const visit = (ref: TypeRef | undefined): void => {
    if (!ref) return;
    switch (ref.kind) {
      case 'array':
        return visit(ref.items);
      case 'map':
        return visit(ref.values);
      case 'named': {
        if (seen.has(ref.name)) return;
        seen.add(ref.name);
        const d = gm.decls.get(ref.name);
        if (d?.kind === 'object') {
          if (d.fields.every((f) => isValidTag(f.name))) out.add(d.name);
          for (const f of d.fields) visit(f.type);
        } else if (d?.kind === 'alias') visit(d.type);
        else if (d?.kind === 'union') for (const v of d.variants) visit(v.type);
        return;
      }
      default:
        return;
    }
  };
  for (const op of gm.model.operations) visit(op.success.type);
  return out;
}

/**
 * Whether encoding/json takes name as a field's JSON name (its isValidTag):
 * letters, digits and some punctuation. Otherwise it names the field by its Go
 * name, which AppendJSON does not try to follow.
 */
export function isValidTag(name: string): boolean {
  return /^[\p{L}\p{Nd}!#$%&()*+\-./:;<=>?@[\]^_{|}~ ]+$/u.test(name);
}

/** A property name as encoding/json writes it, quoted: HTML's <, > and & escaped. */
function jsonKey(name: string): string {
  return JSON.stringify(name).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** The AppendJSON method of object type decl (Go name `name`), added to f. */
export function renderAppendJSON(gm: GoModel, f: GoFile, decl: ObjectDecl, name: string, appended: ReadonlySet<string>): void {
  const enc = new Encoder(gm, f, appended);
  const body = decl.fields.flatMap((field) => enc.field(decl, field));
  const usesErr = body.some((l) => l.includes('err = '));
  f.add(
    `// AppendJSON appends the JSON encoding of m to b: what encoding/json's`,
    `// Marshal writes for it, without reflection (TestAppendJSON holds it to`,
    `// Marshal). A nil m is null.`,
    `func (m *${name}) AppendJSON(b []byte) ([]byte, error) {`,
    '\tif m == nil {',
    '\t\treturn append(b, "null"...), nil',
    '\t}',
    ...(usesErr ? ['\tvar err error'] : []),
    '\tstart := len(b)',
    ...body,
    '\treturn endJSONObject(b, start), nil',
    '}',
  );
}

class Encoder {
  constructor(
    private readonly gm: GoModel,
    private readonly f: GoFile,
    private readonly appended: ReadonlySet<string>,
  ) {}

  /** The statements that append field's member (`,"name":value`), when it is written. */
  field(decl: ObjectDecl, field: Field): string[] {
    const go = `m.${this.gm.fieldName(decl, field)}`;
    const key = `\tb = append(b, ${goRawString(`,${jsonKey(field.name)}:`)}...)`;
    const omitted = !field.required;
    if (this.gm.fieldIsPointer(field)) {
      const value = this.value(field.type, `*${go}`, go, '\t\t');
      if (omitted) return [`\tif ${go} != nil {`, `\t${key}`, ...value, '\t}'];
      return [key, `\tif ${go} == nil {`, '\t\tb = append(b, "null"...)', '\t} else {', ...value, '\t}'];
    }
    if (!omitted) return [key, ...this.value(field.type, go, `&${go}`, '\t')];
    // Written only when not empty: an array is not nil there.
    const value = this.value(field.type, go, `&${go}`, '\t', true);
    const present = field.type.kind === 'any' ? `${go} != nil` : `len(${go}) != 0`;
    return [`\tif ${present} {`, `\t${key}`, ...value.map((l) => `\t${l}`), '\t}'];
  }

  /**
   * Statements appending the value `expr` of type ref (addressable; `ptr` is
   * a pointer to it, for Marshal and pointer methods), indented by `ind`.
   */
  private value(ref: TypeRef, expr: string, ptr: string, ind: string, nonNil = false): string[] {
    const direct = this.direct(ref, expr, ptr, ind, nonNil);
    if (direct) return direct;
    return this.checked(`appendJSONValue(b, ${ptr})`, ind);
  }

  private checked(call: string, ind: string): string[] {
    return [`${ind}if b, err = ${call}; err != nil {`, `${ind}\treturn b, err`, `${ind}}`];
  }

  private direct(ref: TypeRef, expr: string, ptr: string, ind: string, nonNil = false): string[] | undefined {
    switch (ref.kind) {
      case 'scalar':
        return this.scalar(ref.scalar, expr, ind);
      case 'named': {
        const d = this.gm.decls.get(ref.name);
        // The method is on the pointer: called on ptr without its &, which
        // is the field itself or, for a pointer field, the pointer.
        if (d?.kind === 'object') return this.appended.has(d.name) ? this.checked(`${ptr.replace(/^&/, '')}.AppendJSON(b)`, ind) : undefined;
        if (d?.kind === 'enum') return d.base === 'int' ? this.scalar('int64', `int64(${expr})`, ind) : this.scalar('string', `string(${expr})`, ind);
        if (d?.kind === 'alias' && d.type.kind === 'scalar') {
          if (d.type.scalar === 'datetime') return isTimeAlias(d) ? this.scalar('datetime', expr, ind) : undefined;
          // A type of its own on a scalar: its base's encoding.
          return this.scalar(d.type.scalar, `${this.gm.goType(d.type, this.f)}(${expr})`, ind);
        }
        return undefined;
      }
      case 'array': {
        if (ref.items.kind === 'array') return undefined;
        const item = this.direct(ref.items, `${expr}[i]`, `&${expr}[i]`, `${ind}\t`);
        if (!item) return undefined;
        const loop = [
          `${ind}b = append(b, '[')`,
          `${ind}for i := range ${expr} {`,
          `${ind}\tif i > 0 {`,
          `${ind}\t\tb = append(b, ',')`,
          `${ind}\t}`,
          ...item,
          `${ind}}`,
          `${ind}b = append(b, ']')`,
        ];
        if (nonNil) return loop;
        return [`${ind}if ${expr} == nil {`, `${ind}\tb = append(b, "null"...)`, `${ind}} else {`, ...loop.map((l) => `\t${l}`), `${ind}}`];
      }
      default:
        return undefined;
    }
  }

  private scalar(kind: string, expr: string, ind: string): string[] | undefined {
    switch (kind) {
      case 'string':
      case 'uuid':
      case 'date':
        return [`${ind}b = appendJSONString(b, ${expr})`];
      case 'bool':
        return [`${ind}b = ${this.f.use('strconv')}.AppendBool(b, ${expr})`];
      case 'int32':
        return [`${ind}b = ${this.f.use('strconv')}.AppendInt(b, int64(${expr}), 10)`];
      case 'int64':
        return [`${ind}b = ${this.f.use('strconv')}.AppendInt(b, ${expr}, 10)`];
      case 'float64':
        return this.checked(`appendJSONFloat(b, ${expr})`, ind);
      case 'datetime':
        return this.checked(`appendJSONTime(b, ${expr})`, ind);
      default:
        return undefined;
    }
  }
}
