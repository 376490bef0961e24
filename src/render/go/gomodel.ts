import type { EnumDecl, Field, ObjectDecl, UnionDecl, Operation, Parameter, Resource, ServiceModel, TypeDecl, TypeRef } from '../../model/types.js';
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
  contractKind: 'openapi' | 'proto';
  /** svc.yaml's features.database: `sql` (the default when absent) or `memory`. */
  database?: 'sql' | 'memory';
  /** svc.yaml's features.transports (`http`, `grpc`); `['http']` when absent. */
  transports?: readonly string[];
  /** The Go module of the platform (monorepo) the service is part of, whose shared/pkg holds the runtime; absent for a single service. */
  platformModule?: string;
  /** The platform's root relative to the service's (`../..`), with platformModule. */
  platformRoot?: string;
  /** The names of the clients of other services svc.yaml lists (internal/client/<name>), which the wiring builds. */
  otherClients?: readonly string[];
  /** svc.yaml's features.events: the broker built in besides the in-memory one (`memory` when absent: none). */
  events?: 'memory' | 'nats' | 'kafka';
  /** svc.yaml's features.cache: `off` when absent. */
  cache?: 'off' | 'memory' | 'redis';
}

/**
 * The model seen through Go's eyes: every declaration gets a unique Go
 * identifier once, and types map to Go type expressions with the imports
 * they need recorded on the file that uses them.
 */
/** The folders, relative to the module root, of the packages the model's Go code goes to. */
export interface GoDirs {
  /** The contract's types: `pkg/models`. */
  models: string;
  /** The operations' request and response types: `pkg/api`. */
  api: string;
}

/** Where a service keeps them. */
export const SERVICE_DIRS: GoDirs = { models: 'pkg/models', api: 'pkg/api' };

export class GoModel {
  readonly modelsPkg: string;
  private readonly typeNames = new Map<string, string>();
  private readonly fieldNames = new Map<string, Map<string, string>>();
  private readonly paramFields = new Map<Parameter, string>();
  private readonly files = new Map<string, Set<string>>();
  private readonly repoFields = new Map<Resource, string>();
  private readonly enumNames = new Map<string, string[]>();
  private readonly pkgVars = new Map<string, Set<string>>();
  /** Required fields that close a cycle of types held by value. */
  private readonly recursive = new Set<Field>();
  readonly decls: ReadonlyMap<string, TypeDecl>;

  constructor(
    readonly model: ServiceModel,
    readonly settings: ServiceSettings,
    readonly dirs: GoDirs = SERVICE_DIRS,
  ) {
    this.modelsPkg = `${settings.module}/${dirs.models}`;
    this.decls = new Map(model.types.map((t) => [t.name, t]));
    // One namespace for package models: its helpers, the types, then the enum constants.
    const taken = new Set<string>(MODELS_HELPERS);
    for (const t of model.types) this.typeNames.set(t.name, unique(exportedName(t.name), taken));
    for (const t of model.types) {
      if (t.kind !== 'enum') continue;
      const name = this.typeName(t.name);
      this.enumNames.set(
        t.name,
        t.values.map((v) => {
          const suffix =
            typeof v.value === 'number'
              ? `${v.value < 0 ? 'Minus' : ''}${String(Math.abs(v.value)).replace('.', 'Point')}`
              : v.value === ''
                ? 'Empty'
                : exportedName(v.value).replace(/^X(?=[0-9])/, '');
          return unique(`${name}${suffix}`, taken);
        }),
      );
    }
    this.findRecursion();
    const repos = new Set<string>();
    for (const r of model.resources) this.repoFields.set(r, unique(exportedName(r.plural), repos));
    // Request struct fields: unique within each operation, `Body` kept for the body.
    for (const op of model.operations) {
      const names = new Set(['Body', 'Validate']);
      for (const p of op.parameters) this.paramFields.set(p, unique(exportedName(p.name), names));
    }
  }

  /**
   * A file name in dir, unique there whatever the contract's names: two names
   * that differ only in case or punctuation (`UserList`, `user_list`) would
   * otherwise map to one file. Call once per file, in a deterministic order.
   */
  fileName(dir: string, stem: string, suffix: string, reserved: readonly string[] = []): string {
    let taken = this.files.get(dir);
    if (!taken) {
      taken = new Set(reserved.map((r) => r.toLowerCase()));
      this.files.set(dir, taken);
    }
    let name = `${stem}${suffix}`;
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${stem}_${i}${suffix}`;
    taken.add(name.toLowerCase());
    return `${dir}/${name}`;
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
      // The methods generated on models take precedence over field names.
      const taken = new Set<string>(['Validate', 'UnmarshalJSON', 'MarshalJSON', 'AppendJSON', 'Valid', 'String']);
      for (const f of owner.fields) names.set(f.name, unique(exportedName(f.name), taken));
      this.fieldNames.set(owner.name, names);
    }
    return names.get(field.name)!;
  }

  /** Constant identifiers of an enum's values, in contract order. */
  enumConsts(decl: EnumDecl): string[] {
    return this.enumNames.get(decl.name) ?? [];
  }

  opName(op: Operation): string {
    return exportedName(op.name);
  }

  groupName(group: string): string {
    return exportedName(group);
  }

  /**
   * A package-level unexported identifier (e.g. a compiled pattern), unique in
   * its package across every generated file.
   */
  packageVar(pkg: string, base: string): string {
    let taken = this.pkgVars.get(pkg);
    if (!taken) {
      taken = new Set<string>();
      this.pkgVars.set(pkg, taken);
    }
    return unique(base, taken);
  }

  /** The field of service.Repositories that holds a resource's store. */
  repoField(r: Resource): string {
    return this.repoFields.get(r)!;
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

  /**
   * Whether a struct field is a pointer: optional and nullable values are,
   * and so is a required field that would otherwise make a type contain
   * itself (a recursive schema), which Go cannot lay out.
   */
  fieldIsPointer(field: Field): boolean {
    return this.recursive.has(field) || this.isPointer(field.type, field.required, field.nullable);
  }

  fieldType(field: Field, f: GoFile): string {
    const t = this.goType(field.type, f);
    return this.fieldIsPointer(field) ? `*${t}` : t;
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
    return this.paramFields.get(p) ?? exportedName(p.name);
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

  /** Marks the value-held fields that lead back to a type being laid out (depth-first search). */
  private findRecursion(): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const valueTarget = (ref: TypeRef): string | undefined => {
      if (ref.kind !== 'named') return undefined;
      const d = this.decls.get(ref.name);
      if (d?.kind === 'object') return d.name;
      if (d?.kind === 'alias') return valueTarget(d.type);
      return undefined;
    };
    const visit = (name: string) => {
      state.set(name, 'visiting');
      const d = this.decls.get(name);
      if (d?.kind === 'object') {
        for (const field of d.fields) {
          if (this.isPointer(field.type, field.required, field.nullable)) continue;
          const target = valueTarget(field.type);
          if (!target) continue;
          if (state.get(target) === 'visiting') this.recursive.add(field);
          else if (!state.has(target)) visit(target);
        }
      }
      state.set(name, 'done');
    };
    for (const t of this.model.types) if (!state.has(t.name)) visit(t.name);
  }

  /** The Go zero value of a type reference, as an expression usable in f. */
  zeroValue(ref: TypeRef, f: GoFile): string {
    switch (ref.kind) {
      case 'array':
      case 'map':
      case 'any':
        return 'nil';
      case 'scalar':
        if (ref.scalar === 'bool') return 'false';
        if (['string', 'uuid', 'date'].includes(ref.scalar)) return '""';
        if (ref.scalar === 'bytes') return 'nil';
        if (ref.scalar === 'datetime') return `${this.goType(ref, f)}{}`;
        return '0';
      case 'named': {
        const d = this.decl(ref.name);
        if (d.kind === 'object' || d.kind === 'union') return `${this.goType(ref, f)}{}`;
        if (d.kind === 'enum') return d.base === 'int' ? '0' : '""';
        const inner = this.zeroValue(d.type, f);
        return inner === 'nil' || inner === '""' || inner === '0' || inner === 'false' ? inner : `${this.goType(ref, f)}(${inner})`;
      }
    }
  }

  /** The fields of a union struct, one per variant, unique within it. */
  unionFields(decl: UnionDecl): string[] {
    const taken = new Set(['Validate', 'UnmarshalJSON', 'MarshalJSON']);
    return decl.variants.map((v) => unique(variantName(this, v.type), taken));
  }

  objectOf(ref: TypeRef | undefined): ObjectDecl | undefined {
    if (ref?.kind !== 'named') return undefined;
    const d = this.decls.get(ref.name);
    return d?.kind === 'object' ? d : undefined;
  }
}

function variantName(gm: GoModel, t: TypeRef): string {
  switch (t.kind) {
    case 'named':
      return gm.typeName(t.name);
    case 'scalar':
      return { string: 'String', uuid: 'String', date: 'String', bool: 'Bool', int32: 'Int32', int64: 'Int64', float32: 'Float32', float64: 'Float64', datetime: 'Time', bytes: 'Bytes' }[t.scalar];
    case 'array':
      return `${variantName(gm, t.items)}List`;
    case 'map':
      return `${variantName(gm, t.values)}Map`;
    case 'any':
      return 'Value';
  }
}

/** Exported identifiers of pkg/models/validation.go, request.go and decodejson.go, which contract types must not take. */
const MODELS_HELPERS = ['ValidationError', 'Invalid', 'Within', 'IsUUID', 'IsDate', 'BodyRules', 'CheckBody', 'EncodeBody', 'UnmarshalChecked', 'DecodeBody'];

/** base, or base2, base3...: the first not in taken, which it joins. */
export function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}
