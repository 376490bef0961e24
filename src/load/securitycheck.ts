import type { SourceFile } from './source.js';
import { toPointer } from './source.js';
import { readSecuritySchemes, schemeTypes, unknownSchemeType, type SecuritySite } from './security.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the security schemes a contract writes out (not those behind a
 * `$ref`, which the builder reads once references resolve), before the JSON
 * schema check: that check reports a bad scheme as a failed branch of a
 * oneOf ("must be one of apiKey"), which misleads. Swagger 2.0's
 * `securityDefinitions` are checked for their type only.
 */
export function checkSecuritySchemes(source: SourceFile, top: Json): void {
  const site: SecuritySite = {
    error: (path, message) => source.error(toPointer(path), message),
    warn: () => undefined,
    schemesName: 'components.securitySchemes',
    rolesAllowed: true,
  };
  if (top.swagger !== undefined) {
    const definitions = top.securityDefinitions;
    if (!isObject(definitions)) return;
    const known = schemeTypes('2.0');
    for (const [name, d] of Object.entries(definitions)) {
      if (isObject(d) && !known.includes(String(d.type))) throw site.error(['securityDefinitions', name, 'type'], unknownSchemeType(name, d.type, known));
    }
    return;
  }
  const schemes = isObject(top.components) ? top.components.securitySchemes : undefined;
  if (!isObject(schemes)) return;
  const written = Object.fromEntries(Object.entries(schemes).filter(([, s]) => !(isObject(s) && typeof s.$ref === 'string')));
  const version = String(top.openapi).startsWith('3.1') ? '3.1' : '3.0';
  readSecuritySchemes(written, ['components', 'securitySchemes'], site, schemeTypes(version));
}
