import type { SecurityRequirement, SecurityScheme } from '../../model/types.js';
import { copyRequirements, readRequirements, readSecuritySchemes, schemeTypes, type SecurityPath, type SecuritySite } from '../../load/security.js';
import { parsePointer, toPointer } from '../../load/source.js';
import { BuildContext, isObject } from './context.js';

/**
 * The contract's security: its schemes (`components.securitySchemes`, in
 * declaration order, `$ref`s followed) and a reader of requirement lists
 * checked against them. Top-level `security` is what an operation without
 * its own gets.
 */
export interface ContractSecurity {
  schemes: SecurityScheme[];
  /** The top-level requirements; `[]` when the contract has none. */
  defaults: SecurityRequirement[];
  /** An operation's effective requirements: its own `security` at `at` when written, else the defaults. */
  of(raw: unknown, at: string): SecurityRequirement[];
}

export function buildSecurity(ctx: BuildContext): ContractSecurity {
  const site = securitySite(ctx);
  const components = isObject(ctx.doc.components) ? ctx.doc.components : {};
  const version = String(ctx.doc.openapi).startsWith('3.1') ? '3.1' : '3.0';
  const schemes = readSecuritySchemes(components.securitySchemes, ['components', 'securitySchemes'], site, schemeTypes(version));
  const defaults = readRequirements(ctx.doc.security, ['security'], schemes, site) ?? [];
  return {
    schemes,
    defaults,
    of: (raw, at) => readRequirements(raw, parsePointer(at), schemes, site) ?? copyRequirements(defaults),
  };
}

function securitySite(ctx: BuildContext): SecuritySite {
  const warned = new Set<string>();
  return {
    error: (path, message) => ctx.error(toPointer(path), message),
    // The same warning from many operations is told once, where it is first met.
    warn: (path, message) => {
      if (warned.has(message)) return;
      warned.add(message);
      ctx.warn(toPointer(path), message);
    },
    resolve: (value, path) => {
      const { node, pointer } = ctx.resolve(value, toPointer(path));
      return { node, path: parsePointer(pointer) as SecurityPath };
    },
    schemesName: 'components.securitySchemes',
    rolesAllowed: String(ctx.doc.openapi).startsWith('3.1'),
  };
}
