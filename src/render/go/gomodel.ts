import type { EnumDecl, Field, ObjectDecl, Operation, Parameter, Resource, ServiceModel, TypeDecl, TypeRef } from '../../model/types.js';
import { exportedName, unexportedName } from './naming.js';
import type { GoFile } from './gofile.js';

/** What the user chose for the service; everything render needs besides the model. */
export interface ServiceSettings {
  /** Service name, e.g. `product`. */
  name: string;
  /** Go module path, e.g. `github.com/acme/product`. */
  module: string;
  /** Contract path relative to the service root. */
  contract: string;
  contractKind: 'openapi';
}

/**
 * The model seen through Go's eyes: every declaration gets a unique Go
 * identifier once, and types map to Go type expressions with the imports
 * they need recorded on the file that uses them.
 */
export class GoModel {
  readonly modelsPkg: string;
  private readonly typeNames = new Map<string, string>();
  private readonly fieldNames = new Map<string, Map<string, string>>();
  readonly decls: ReadonlyMap<string, TypeDecl>;

  constructor(
    readonly model: ServiceModel,
    readonly settings: ServiceSettings,
  ) {
    this.modelsPkg = `${settings.module}/pkg/models`;
    this.decls = new Map(model.types.map((t) => [t.name, t]));
    const taken = new Set<string>();
    for (const t of model.types) this.typeNames.set(t.name, unique(exportedName(t.name), taken));
  }

  typeName(name: string): string {
    const n = this.typeNames.get(name);
    if (!n) throw new Error(`unknown type ${name}`);
    return n;
  }

  decl(name: string): TypeDecl {
    const d = this.decls.get(name);
    if (!d) throw new Error(`unknown type ${name}`);
    return d;
  }

  /** Struct field identifiers of an object, unique within it. */
  fieldName(owner: ObjectDecl, field: Field): string {
    let names = this.fieldNames.get(owner.name);
    if (!names) {
      names = new Map();
      const taken = new Set<string>();
      for (const f of owner.fields) names.set(f.name, unique(exportedName(f.name), taken));
      this.fieldNames.set(owner.name, names);
    }
    return names.get(field.name)!;
  }

  /** Constant identifiers of an enum's values, in contract order. */
  enumConsts(decl: EnumDecl): string[] {
    const name = this.typeName(decl.name);
    const taken = new Set<string>();
    return decl.values.map((v) => {
      let ident: string;
      if (typeof v.value === 'number') ident = `${name}${v.value < 0 ? 'Minus' : ''}${String(Math.abs(v.value)).replace('.', 'Point')}`;
      else ident = `${name}${v.value === '' ? 'Empty' : exportedName(v.value).replace(/^X(?=[0-9])/, '')}`;
      return unique(ident, taken);
    });
  }

  opName(op: Operation): string {
    return exportedName(op.name);
  }

  groupName(group: string): string {
    return exportedName(group);
  }

  resource(name: string): Resource | undefined {
    return this.model.resources.find((r) => r.name === name);
  }

  /** The Go type expression of a reference, qualified with `models.` outside that package. */
  goType(ref: TypeRef, f: GoFile): string {
    switch (ref.kind) {
      case 'scalar':
        switch (ref.scalar) {
          case 'datetime':
            return `${f.use('time')}.Time`;
          case 'bytes':
            return '[]byte';
          case 'uuid':
          case 'date':
          case 'string':
            return 'string';
          default:
            return ref.scalar;
        }
      case 'named': {
        const name = this.typeName(ref.name);
        return f.pkg === 'models' ? name : `${f.use(this.modelsPkg)}.${name}`;
      }
      case 'array':
        return `[]${this.goType(ref.items, f)}`;
      case 'map':
        return `map[string]${this.goType(ref.values, f)}`;
      case 'any':
        return 'any';
    }
  }

  /**
   * How a field is held: optional and nullable values are pointers, except
   * slices, maps and `any`, whose zero value already means "absent".
   */
  isPointer(ref: TypeRef, required: boolean, nullable: boolean): boolean {
    if (ref.kind === 'array' || ref.kind === 'map' || ref.kind === 'any') return false;
    if (ref.kind === 'scalar' && ref.scalar === 'bytes') return false;
    return !required || nullable;
  }

  fieldType(field: Field, f: GoFile): string {
    const t = this.goType(field.type, f);
    return this.isPointer(field.type, field.required, field.nullable) ? `*${t}` : t;
  }

  /** A request parameter: pointer when optional and without a default. */
  paramType(p: Parameter, f: GoFile): string {
    const t = this.goType(p.type, f);
    return this.paramIsPointer(p) ? `*${t}` : t;
  }

  paramIsPointer(p: Parameter): boolean {
    return this.isPointer(p.type, p.required || p.default !== undefined, false);
  }

  paramField(p: Parameter): string {
    return exportedName(p.name);
  }

  paramVar(p: Parameter): string {
    return unexportedName(p.name);
  }

  /** The operation's success response type, or undefined when it has no body. */
  responseType(op: Operation, f: GoFile): string | undefined {
    const t = op.success.type;
    if (!t) return undefined;
    const go = this.goType(t, f);
    return t.kind === 'named' && this.decl(t.name).kind === 'object' ? `*${go}` : go;
  }

  objectOf(ref: TypeRef | undefined): ObjectDecl | undefined {
    if (ref?.kind !== 'named') return undefined;
    const d = this.decls.get(ref.name);
    return d?.kind === 'object' ? d : undefined;
  }
}

function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}
