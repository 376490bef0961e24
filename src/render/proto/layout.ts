import { posix } from 'node:path';
import type { ProtoFile, RpcModel, RpcService } from '../../model/rpc.js';
import { snake } from '../../model/names.js';
import { packageName } from '../go/naming.js';
import { SHARED_PROTO_PREFIX } from '../../project/platform.js';

/** Where a proto service serves the OpenAPI document derived from its contract. */
export const OPENAPI_PATH = '/openapi.yaml';

/**
 * Where a proto service's files go and what the Go code protoc generates is
 * called: the contract and the imports generated with it live in the contract
 * folder (`<name>proto/`), their Go packages beside them; the files whose Go
 * code an existing module provides are copied to `third_party/` for protoc.
 */
export class ProtoLayout {
  /** Go import path and package name of each proto file, by import path. */
  private readonly goPackages: Map<string, GoPackage>;
  /** Go names of the service implementations, by service full name. */
  private readonly serverNames = new Map<string, string>();

  constructor(
    readonly rpc: RpcModel,
    readonly module: string,
    /** The contract folder, e.g. `productproto`: the include root of the contract's files. */
    readonly contractDir: string,
    /** The platform's Go module, whose shared/pkg holds the runtime; absent for a single service. */
    readonly platformModule?: string,
  ) {
    this.goPackages = goPackagesOf(rpc.files, module, contractDir);
    const byName = new Map<string, RpcService[]>();
    for (const s of rpc.services) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
    for (const s of rpc.services) {
      const clash = byName.get(s.name)!.length > 1;
      const base = clash ? goCamelCase(s.fullName.replaceAll('.', '_')) : goCamelCase(s.name);
      this.serverNames.set(s.fullName, `${base}Server`);
    }
  }

  /** Files whose Go code protoc generates into the service. */
  generatedFiles(): ProtoFile[] {
    return generatedFiles(this.rpc.files);
  }

  /** Files copied to third_party/ so `make generate` finds them. */
  providedFiles(): ProtoFile[] {
    const needed = new Set<string>();
    const visit = (path: string) => {
      const f = this.rpc.files.find((x) => x.path === path);
      if (!f || needed.has(path)) return;
      if (f.origin === 'provided') needed.add(path);
      for (const i of f.imports) visit(i);
    };
    for (const f of this.generatedFiles()) for (const i of f.imports) visit(i);
    // A platform's shared protos are found at its root (protoc -I ../..), not copied.
    const shared = (f: ProtoFile) => this.platformModule !== undefined && f.path.startsWith(SHARED_PROTO_PREFIX);
    return this.rpc.files.filter((f) => needed.has(f.path) && !shared(f));
  }

  /** The Go import path and package name for a proto file. */
  goPackage(file: string): { path: string; name: string } {
    const p = this.goPackages.get(file);
    if (!p) throw new Error(`internal error: no Go package for ${file}`);
    return p;
  }

  /** protoc-gen-go `M` options mapping every generated file to its Go package. */
  goOptions(): string[] {
    return goOptionsOf(this.rpc.files, this.goPackages);
  }

  /** The Go type of a message: its package's import path and its name there. */
  messageType(fullName: string): { importPath: string; name: string } {
    const m = this.rpc.messages[fullName];
    if (!m) throw new Error(`internal error: unknown message ${fullName}`);
    const file = this.rpc.files.find((f) => f.path === m.file)!;
    const rel = file.package ? fullName.slice(file.package.length + 1) : fullName;
    return { importPath: this.goPackage(m.file).path, name: goCamelCase(rel) };
  }

  /** The name of the struct implementing a service, e.g. `PublisherServer`. */
  serverName(s: RpcService): string {
    return this.serverNames.get(s.fullName)!;
  }

  /** Go name of the service as protoc-gen-go-grpc spells it (`Publisher` → PublisherServer, RegisterPublisherServer). */
  grpcName(s: RpcService): string {
    return goCamelCase(s.name);
  }

  /** Base of the file names of a service's Go files, e.g. `publisher`. */
  fileBase(s: RpcService): string {
    const clash = this.rpc.services.filter((x) => x.name === s.name).length > 1;
    return snake(clash ? s.fullName.replaceAll('.', '_') : s.name);
  }
}

/** A Go package: its import path and its name. */
export interface GoPackage {
  path: string;
  name: string;
}

/** Files whose Go code protoc generates into the service: all but those an existing Go module provides. */
export function generatedFiles(files: readonly ProtoFile[]): ProtoFile[] {
  return files.filter((f) => f.origin !== 'provided');
}

/**
 * The Go package of each proto file, by import path: a provided file's from
 * its go_package; a generated one's under the contract folder, beside the
 * proto, named by its go_package or its proto package (the first file of a
 * folder names the folder's package).
 */
export function goPackagesOf(files: readonly ProtoFile[], module: string, contractDir: string): Map<string, GoPackage> {
  const packages = new Map<string, GoPackage>();
  const dirNames = new Map<string, string>();
  for (const f of files) {
    if (f.origin === 'provided') {
      const [path, name] = splitGoPackage(f.goPackage!);
      packages.set(f.path, { path, name });
      continue;
    }
    const dir = posix.dirname(f.path);
    let name = dirNames.get(dir);
    if (name === undefined) {
      name = f.goPackage ? splitGoPackage(f.goPackage)[1] : `${packageName(f.package.split('.').filter((p) => !/^v\d/.test(p)).pop() ?? 'api')}pb`;
      dirNames.set(dir, name);
    }
    const path = dir === '.' ? `${module}/${contractDir}` : `${module}/${contractDir}/${dir}`;
    packages.set(f.path, { path, name });
  }
  return packages;
}

/** protoc-gen-go `M` options mapping every generated file to its Go package. */
export function goOptionsOf(files: readonly ProtoFile[], packages: ReadonlyMap<string, GoPackage>): string[] {
  return generatedFiles(files).map((f) => {
    const p = packages.get(f.path)!;
    return `M${f.path}=${p.path};${p.name}`;
  });
}

/** `cloud.google.com/go/pubsub/apiv1/pubsubpb;pubsubpb` → [path, name]. */
export function splitGoPackage(goPackage: string): [string, string] {
  const [path, name] = goPackage.split(';') as [string, string | undefined];
  const last = path.split('/').pop() ?? path;
  return [path, name ?? packageName(last.replace(/^v\d+$/, path.split('/').slice(-2)[0] ?? last))];
}

/**
 * protoc-gen-go's conversion of a proto name to a Go identifier: `_x` and `.x`
 * (lower-case x) join as `X`, other `.` become `_`, a leading `_` becomes `X`.
 */
export function goCamelCase(s: string): string {
  let out = '';
  const lower = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
  const digit = (c: string) => c >= '0' && c <= '9';
  for (let i = 0; i < s.length; i++) {
    let c = s[i]!;
    if (c === '.' && lower(s[i + 1])) continue;
    if (c === '.') {
      out += '_';
    } else if (c === '_' && (i === 0 || s[i - 1] === '.')) {
      out += 'X';
    } else if (c === '_' && lower(s[i + 1])) {
      continue;
    } else if (digit(c)) {
      out += c;
    } else {
      if (lower(c)) c = c.toUpperCase();
      out += c;
      while (lower(s[i + 1])) out += s[++i];
    }
  }
  return out;
}
