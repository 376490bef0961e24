import { UserError } from '../../errors.js';
import { copyRequirements, readRequirements, readSecuritySchemes, type SecurityPath, type SecuritySite } from '../../load/security.js';
import type { RpcModel } from '../../model/rpc.js';
import type { Operation, SecurityRequirement, SecurityScheme } from '../../model/types.js';

/**
 * The `security:` section of svc.yaml, which gives a proto contract what
 * proto has no words for:
 *
 * ```yaml
 * security:
 *   schemes:      # as OpenAPI components.securitySchemes
 *     bearerAuth: {type: http, scheme: bearer, bearerFormat: JWT}
 *   default:      # the requirements of every RPC not listed under rpcs
 *     - bearerAuth: []
 *   rpcs:         # by Service.Method or package.Service.Method
 *     ProductService.GetProduct: []          # public
 *     ProductService.DeleteProduct:
 *       - bearerAuth: [products.delete]
 * ```
 *
 * Requirements are OpenAPI's: any one of the list (OR), all schemes of one
 * (AND); scopes may be given to any scheme (for other than oauth2 and
 * openIdConnect they are roles).
 */
export interface ProtoSecurity {
  schemes: SecurityScheme[];
  defaults: SecurityRequirement[];
  /** Requirements by RPC name as written. */
  rpcs: Map<string, SecurityRequirement[]>;
}

const SETTINGS_FILE = 'svc.yaml';
const KEYS = ['schemes', 'default', 'rpcs'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and checks the section; every problem is a one-line `svc.yaml: security…` UserError. */
export function readProtoSecurity(raw: unknown, warnings: string[] = []): ProtoSecurity {
  const site: SecuritySite = {
    error: (path, message) => new UserError(`${SETTINGS_FILE}: ${dotted(path)}: ${message}`),
    warn: (path, message) => warnings.push(`${SETTINGS_FILE}: ${dotted(path)}: ${message}`),
    schemesName: 'security.schemes',
    rolesAllowed: true,
  };
  if (!isObject(raw)) throw site.error(['security'], 'must be a mapping with schemes, default and rpcs');
  const unknown = Object.keys(raw).find((k) => !KEYS.includes(k));
  if (unknown !== undefined) throw site.error(['security', unknown], `unknown key (known: ${KEYS.join(', ')})`);
  const schemes = readSecuritySchemes(raw.schemes ?? {}, ['security', 'schemes'], site);
  const defaults = readRequirements(raw.default, ['security', 'default'], schemes, site) ?? [];
  const rpcs = new Map<string, SecurityRequirement[]>();
  if (raw.rpcs !== undefined && !isObject(raw.rpcs)) throw site.error(['security', 'rpcs'], 'must be a mapping of RPC name (Service.Method) to requirements');
  for (const [name, reqs] of Object.entries(raw.rpcs ?? {})) {
    if (!/^([A-Za-z_]\w*\.)+[A-Za-z_]\w*$/.test(name)) throw site.error(['security', 'rpcs', name], 'an RPC is named Service.Method or package.Service.Method');
    rpcs.set(name, readRequirements(reqs ?? [], ['security', 'rpcs', name], schemes, site)!);
  }
  return { schemes, defaults, rpcs };
}

/**
 * Gives every RPC of the contract its requirements (`RpcMethod.security`),
 * and every operation those of its RPC. An RPC name under `rpcs` that names
 * no RPC of the contract is an error.
 */
export function applyProtoSecurity(security: ProtoSecurity, rpc: RpcModel, operations: Operation[]): void {
  const used = new Set<string>();
  for (const service of rpc.services) {
    for (const method of service.methods) {
      const names = [`${service.fullName}.${method.name}`, `${service.name}.${method.name}`].filter((n) => security.rpcs.has(n));
      if (names.length > 1) throw new UserError(`${SETTINGS_FILE}: security.rpcs: ${names.join(' and ')} name the same RPC: keep one`);
      names.forEach((n) => used.add(n));
      method.security = copyRequirements(names[0] !== undefined ? security.rpcs.get(names[0])! : security.defaults);
      const op = method.operation !== undefined ? operations.find((o) => o.name === method.operation) : undefined;
      if (op) op.security = copyRequirements(method.security);
    }
  }
  for (const name of security.rpcs.keys()) {
    if (used.has(name)) continue;
    const known = rpc.services.flatMap((s) => s.methods.map((m) => `${s.name}.${m.name}`));
    const shown = known.slice(0, 5).join(', ') + (known.length > 5 ? `, and ${known.length - 5} more` : '');
    throw new UserError(`${SETTINGS_FILE}: security.rpcs: "${name}" is not an RPC of the contract (its RPCs: ${shown})`);
  }
}

/** `security.rpcs["Shop.Get"][0]`: a path of svc.yaml as a reader finds it. */
function dotted(path: SecurityPath): string {
  return path
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][\w-]*$/.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`))
    .join('');
}
