import type { Field, ObjectDecl, TypeRef } from '../../model/types.js';
import { comment, type GoFile } from './gofile.js';
import { SERVICE_DIRS, type GoModel } from './gomodel.js';
import { isFormBody, isRawBody } from './handler.js';
import { goString } from './naming.js';
import { isTimeAlias } from './validation.js';
import { isValidTag } from './appendjson.js';

/**
 * `decodeJSON` on the contract's object types that JSON request bodies
 * reach: the common body decoded in one pass over its bytes, without
 * reflection (the handlers' decodeJSON tries it first, through
 * `models.DecodeBody`). It gives up on anything that is not plain (a null,
 * an escape, an unknown, read-only or repeated property, a missing required
 * one, a value of the wrong kind), and the body then goes the whole way:
 * CheckBody and encoding/json. A type gets the method only when every
 * property has a direct form here (strings, numbers, booleans, date-times,
 * enums, scalar types of the contract, objects that have the method, arrays
 * of those), at most 64 properties, each with a name encoding/json takes as
 * a tag. The runtime is `pkg/models/decodejson.go`; the generated test holds
 * every method to the whole way on random and mutated bodies.
 */

/** Most properties a decoded type may have: one bit each in a uint64. */
const MAX_DECODED_FIELDS = 64;

/** The object types of gm's contract that get decodeJSON: those JSON request bodies reach, in a service's own models, whose every property has a direct form. */
export function decodedTypes(gm: GoModel): Set<string> {
  const out = new Set<string>();
  if (gm.dirs.models !== SERVICE_DIRS.models) return out;
  const reached = new Map<string, ObjectDecl>();
  const visit = (ref: TypeRef): void => {
    if (ref.kind === 'array') return visit(ref.items);
    if (ref.kind !== 'named' || reached.has(ref.name)) return;
    const d = gm.decls.get(ref.name);
    if (d?.kind !== 'object') return;
    reached.set(d.name, d);
    for (const f of d.fields) visit(f.type);
  };
  const roots = new Set<string>();
  for (const op of gm.model.operations) {
    if (!op.body || isFormBody(op) || isRawBody(op)) continue;
    if (op.body.type.kind === 'named') roots.add(op.body.type.name);
    visit(op.body.type);
  }
  // Every reached type is taken, then those with a property of no direct
  // form are dropped, until none is: an object is direct only while it stays.
  for (const [name, d] of reached) if (d.fields.length <= MAX_DECODED_FIELDS && d.fields.every((f) => isValidTag(f.name))) out.add(name);
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of out) {
      const d = reached.get(name)!;
      if (d.fields.every((f) => f.readOnly || direct(gm, f.type, out))) continue;
      out.delete(name);
      changed = true;
    }
  }
  // DecodeBody starts at a body's own type: a type only bodies of other
  // types reach, none of which decodes, would never be called.
  const used = new Set<string>();
  const use = (ref: TypeRef): void => {
    if (ref.kind === 'array') return use(ref.items);
    if (ref.kind !== 'named' || !out.has(ref.name) || used.has(ref.name)) return;
    used.add(ref.name);
    for (const f of reached.get(ref.name)!.fields) if (!f.readOnly) use(f.type);
  };
  for (const name of roots) use({ kind: 'named', name });
  return used;
}

/** Whether a value of type ref decodes directly (a decoded object, given the set of them). */
function direct(gm: GoModel, ref: TypeRef, decoded: ReadonlySet<string>): boolean {
  switch (ref.kind) {
    case 'scalar':
      return scalarRead(ref.scalar) !== undefined;
    case 'named': {
      const d = gm.decls.get(ref.name);
      if (d?.kind === 'object') return decoded.has(d.name);
      if (d?.kind === 'enum') return true;
      // A checked date-time type is a type of its own, which encoding/json does not decode as a time.
      if (d?.kind === 'alias' && d.type.kind === 'scalar') return d.type.scalar !== 'datetime' ? scalarRead(d.type.scalar) !== undefined : isTimeAlias(d);
      return false;
    }
    case 'array':
      return ref.items.kind !== 'array' && direct(gm, ref.items, decoded);
    default:
      return false;
  }
}

/** The decoder's read of a scalar (without the conversion to its Go type), or undefined when it has none. */
function scalarRead(kind: string): string | undefined {
  switch (kind) {
    case 'string':
    case 'uuid':
    case 'date':
      return 'd.str()';
    case 'bool':
      return 'd.boolean()';
    case 'int32':
      return 'int32(d.integer(32))';
    case 'int64':
      return 'd.integer(64)';
    case 'float32':
      return 'float32(d.float(32))';
    case 'float64':
      return 'd.float(64)';
    case 'datetime':
      return 'd.time()';
    default:
      return undefined;
  }
}

/** The decodeJSON method of object type decl (Go name `name`), added to f. */
export function renderDecodeJSON(gm: GoModel, f: GoFile, decl: ObjectDecl, name: string): void {
  const fields = decl.fields.filter((fl) => !fl.readOnly);
  const cases = fields.flatMap((field, i) => [`\t\tcase ${goString(field.name)}:`, `\t\t\td.seen(&seen, 1<<${i})`, ...assign(field)]);
  let mask = 0n;
  fields.forEach((fl, i) => {
    if (fl.required) mask |= 1n << BigInt(i);
  });
  const hex = `0x${mask.toString(16)}`;
  const loop =
    fields.length === 0
      ? ['\tfor more := d.openObject(); more; more = d.nextMember() {', '\t\td.key()', '\t\td.fail()', '\t}']
      : ['\tvar seen uint64', '\tfor more := d.openObject(); more; more = d.nextMember() {', '\t\tswitch string(d.key()) {', ...cases, '\t\tdefault:', '\t\t\td.fail()', '\t\t}', '\t}'];
  f.add(
    ...comment(`decodeJSON reads a ${name} from d, giving up on anything but a plain body (DecodeBody); TestDecodeBody holds it to CheckBody and encoding/json.`),
    `func (m *${name}) decodeJSON(d *jsonDecoder) {`,
    ...loop,
    ...(mask === 0n ? [] : [`\tif seen&${hex} != ${hex} {`, '\t\td.fail()', '\t}']),
    '}',
  );

  /** The statements reading field's value into m. */
  function assign(field: Field): string[] {
    const go = `m.${gm.fieldName(decl, field)}`;
    const ref = field.type;
    if (ref.kind === 'array') {
      const items = gm.goType(ref.items, f);
      const obj = objectName(gm, ref.items);
      const add = obj ? [`\t\t\t\t${go} = append(${go}, ${items}{})`, `\t\t\t\t${go}[len(${go})-1].decodeJSON(d)`] : [`\t\t\t\t${go} = append(${go}, ${read(gm, f, ref.items)})`];
      return [`\t\t\t${go} = ${gm.goType(ref, f)}{}`, '\t\t\tfor item := d.openArray(); item; item = d.nextItem() {', ...add, '\t\t\t}'];
    }
    const obj = objectName(gm, ref);
    if (gm.fieldIsPointer(field)) {
      if (obj) return [`\t\t\t${go} = new(${obj})`, `\t\t\t${go}.decodeJSON(d)`];
      return [`\t\t\tv := ${read(gm, f, ref)}`, `\t\t\t${go} = &v`];
    }
    if (obj) return [`\t\t\t${go}.decodeJSON(d)`];
    return [`\t\t\t${go} = ${read(gm, f, ref)}`];
  }
}

/** The Go name of the object type ref names, if it names one. */
function objectName(gm: GoModel, ref: TypeRef): string | undefined {
  if (ref.kind !== 'named') return undefined;
  const d = gm.decls.get(ref.name);
  return d?.kind === 'object' ? gm.typeName(d.name) : undefined;
}

/** The expression reading a value of scalar, enum or scalar-type ref, of its Go type. */
function read(gm: GoModel, f: GoFile, ref: TypeRef): string {
  if (ref.kind === 'scalar') return scalarRead(ref.scalar)!;
  if (ref.kind !== 'named') throw new Error(`no direct read of a ${ref.kind}`);
  const d = gm.decls.get(ref.name);
  const type = gm.goType(ref, f);
  if (d?.kind === 'enum') return d.base === 'int' ? `${type}(d.integer(${f.use('strconv')}.IntSize))` : `${type}(d.str())`;
  if (d?.kind === 'alias' && d.type.kind === 'scalar') {
    const base = scalarRead(d.type.scalar)!;
    return d.type.scalar === 'datetime' ? base : `${type}(${base})`;
  }
  throw new Error(`no direct read of ${ref.name}`);
}
