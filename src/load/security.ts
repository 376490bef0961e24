/**
 * Reads OpenAPI security objects — the schemes of `components.securitySchemes`
 * and the requirement lists of `security` — into the model's shapes. One
 * reader for every place they are written: an OpenAPI 3.0 or 3.1 contract
 * (and Swagger 2.0, once converted), and the `security:` section of svc.yaml
 * that gives a proto contract what proto has no words for.
 *
 * Where a problem is reported is the caller's: a `SecuritySite` turns a path
 * below the section into a located error (a JSON pointer of the contract, or a
 * dotted path of svc.yaml) and collects warnings.
 */
import type { UserError } from '../errors.js';
import type { SchemeRequirement, SecurityRequirement, SecurityScheme } from '../model/types.js';

export type SecurityPath = (string | number)[];

export interface SecuritySite {
  /** The located error for a path below the document's root. */
  error(path: SecurityPath, message: string): UserError;
  /** A warning at a path below the document's root. */
  warn(path: SecurityPath, message: string): void;
  /** Follows a `$ref` to the scheme it names (an OpenAPI document); absent where there are none. */
  resolve?(value: unknown, path: SecurityPath): { node: unknown; path: SecurityPath };
  /** How the place schemes are declared is named in messages: `components.securitySchemes`. */
  schemesName: string;
  /**
   * Whether a requirement may list scopes for a scheme that is not oauth2 or
   * openIdConnect: OpenAPI 3.1 (they are roles) and svc.yaml may; OpenAPI
   * 3.0 and Swagger 2.0 say the list MUST be empty.
   */
  rolesAllowed: boolean;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The scheme types OpenAPI 3.1 knows; 3.0 lacks mutualTLS. */
const TYPES_31 = ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'];
const TYPES_30 = TYPES_31.filter((t) => t !== 'mutualTLS');
/** Swagger 2.0's `securityDefinitions` types. */
const TYPES_20 = ['apiKey', 'basic', 'oauth2'];

/** The scheme types a document of this version may declare. */
export function schemeTypes(version: '2.0' | '3.0' | '3.1'): readonly string[] {
  return version === '2.0' ? TYPES_20 : version === '3.0' ? TYPES_30 : TYPES_31;
}

/** The message for a scheme whose type is not one of `known`. */
export function unknownSchemeType(name: string, type: unknown, known: readonly string[]): string {
  return `security scheme "${name}" has an unknown type ${JSON.stringify(type) ?? String(type)} (known: ${known.join(', ')})`;
}

const API_KEY_PLACES = ['header', 'query', 'cookie'] as const;

/**
 * Reads a `securitySchemes` mapping at `at`, in declaration order. `types`
 * are the scheme types the document may declare. A `mutualTLS` scheme is
 * kept as `custom` and warned of: no default verifier checks it.
 */
export function readSecuritySchemes(raw: unknown, at: SecurityPath, site: SecuritySite, types: readonly string[] = TYPES_31): SecurityScheme[] {
  if (raw === undefined) return [];
  if (!isObject(raw)) throw site.error(at, `${site.schemesName} must be a mapping of scheme name to scheme`);
  return Object.entries(raw).map(([name, value]) => {
    const { node, path } = site.resolve ? site.resolve(value, [...at, name]) : { node: value, path: [...at, name] };
    return readScheme(name, node, path, site, types);
  });
}

function readScheme(name: string, raw: unknown, at: SecurityPath, site: SecuritySite, types: readonly string[]): SecurityScheme {
  if (!isObject(raw)) throw site.error(at, `security scheme "${name}" must be a mapping with a "type"`);
  const fail = (key: string, what: string) => site.error([...at, key], `security scheme "${name}": ${what}`);
  const text = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') throw fail(key, `"${key}" must be a non-empty string`);
    return v;
  };
  const description = typeof raw.description === 'string' && raw.description.trim() !== '' ? raw.description : undefined;
  const scheme = (s: Omit<SecurityScheme, 'name'>): SecurityScheme => ({ name, ...s, ...(description !== undefined ? { description } : {}) });
  if (!types.includes(String(raw.type))) throw site.error([...at, 'type'], unknownSchemeType(name, raw.type, types));
  switch (raw.type) {
    case 'http': {
      const httpScheme = text('scheme');
      if (httpScheme === undefined) throw fail('type', 'type http needs a "scheme" (bearer, basic, or another HTTP authentication scheme)');
      const lower = httpScheme.toLowerCase();
      if (lower === 'bearer') {
        const bearerFormat = text('bearerFormat');
        return scheme({ kind: 'bearer', ...(bearerFormat !== undefined ? { bearerFormat } : {}) });
      }
      if (lower === 'basic') return scheme({ kind: 'basic' });
      return scheme({ kind: 'custom', httpScheme });
    }
    case 'apiKey': {
      const param = text('name');
      if (param === undefined) throw fail('type', 'type apiKey needs a "name" (the header, query parameter or cookie that carries the key)');
      const place = raw.in;
      if (!API_KEY_PLACES.includes(place as (typeof API_KEY_PLACES)[number])) {
        throw fail(place === undefined ? 'type' : 'in', `apiKey "in" must be header, query or cookie, not ${JSON.stringify(place) ?? 'absent'}`);
      }
      return scheme({ kind: 'apiKey', in: place as (typeof API_KEY_PLACES)[number], param });
    }
    case 'oauth2': {
      const flows = raw.flows ?? {};
      if (!isObject(flows)) throw fail('flows', '"flows" must be a mapping of flow name to flow');
      const scopes: Record<string, string> = {};
      for (const [flow, value] of Object.entries(flows)) {
        if (!isObject(value)) throw site.error([...at, 'flows', flow], `security scheme "${name}": flow "${flow}" must be a mapping`);
        const declared = value.scopes ?? {};
        if (!isObject(declared)) throw site.error([...at, 'flows', flow, 'scopes'], `security scheme "${name}": the scopes of flow "${flow}" must be a mapping of scope to description`);
        for (const [scope, about] of Object.entries(declared)) scopes[scope] ??= typeof about === 'string' ? about : '';
      }
      return scheme({ kind: 'oauth2', scopes, flows: structuredClone(flows) });
    }
    case 'openIdConnect': {
      const openIdConnectUrl = text('openIdConnectUrl');
      if (openIdConnectUrl === undefined) throw fail('type', 'type openIdConnect needs an "openIdConnectUrl" (the discovery document)');
      return scheme({ kind: 'openIdConnect', openIdConnectUrl });
    }
    case 'mutualTLS': {
      // The TLS layer authenticates the client; only the service can tell who it is.
      site.warn(at, `security scheme "${name}" is mutualTLS: no default verifier checks it: plug one in (internal/auth/custom.go)`);
      return scheme({ kind: 'custom', httpScheme: 'mutualTLS' });
    }
    default:
      throw site.error([...at, 'type'], unknownSchemeType(name, raw.type, types));
  }
}

/**
 * Reads a `security` list at `at`: any one requirement (OR), each requiring
 * all its schemes (AND) with their scopes; `{}` is an empty requirement
 * (anonymous allowed). Undefined stays undefined: "not said here".
 */
export function readRequirements(raw: unknown, at: SecurityPath, schemes: readonly SecurityScheme[], site: SecuritySite): SecurityRequirement[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw site.error(at, 'security must be a list of requirements (each a mapping of scheme name to scopes), or [] for none');
  return raw.map((req, i) => {
    if (!isObject(req)) throw site.error([...at, i], 'a security requirement must be a mapping of scheme name to a list of scopes');
    return Object.entries(req).map(([name, scopes]) => schemeRequirement(name, scopes, [...at, i, name], schemes, site));
  });
}

function schemeRequirement(name: string, raw: unknown, at: SecurityPath, schemes: readonly SecurityScheme[], site: SecuritySite): SchemeRequirement {
  const scheme = schemes.find((s) => s.name === name);
  if (!scheme) {
    const declared = schemes.length > 0 ? `declared: ${schemes.map((s) => s.name).join(', ')}` : 'none is declared';
    throw site.error(at, `security requirement names the scheme "${name}", which ${site.schemesName} does not declare (${declared})`);
  }
  if (!Array.isArray(raw) || raw.some((s) => typeof s !== 'string')) throw site.error(at, `the scopes of "${name}" must be a list of strings ([] for none)`);
  const scopes = raw as string[];
  if (scopes.length > 0 && scheme.kind !== 'oauth2' && scheme.kind !== 'openIdConnect' && !site.rolesAllowed) {
    throw site.error(at, `security requirement lists scopes for "${name}", whose type is ${typeLabel(scheme)}: OpenAPI 3.0 and Swagger 2.0 allow scopes only for oauth2 and openIdConnect (write [], or use OpenAPI 3.1, where they are roles)`);
  }
  if (scheme.kind === 'oauth2') {
    for (const scope of scopes) {
      if (!(scope in (scheme.scopes ?? {}))) site.warn(at, `security requirement asks "${name}" for the scope "${scope}", which none of its flows declares`);
    }
  }
  return { scheme: name, scopes: [...scopes] };
}

/** A scheme's type as the contract writes it: `apiKey`, `http bearer`, `mutualTLS`. */
function typeLabel(s: SecurityScheme): string {
  switch (s.kind) {
    case 'bearer':
    case 'basic':
      return `http ${s.kind}`;
    case 'custom':
      return s.httpScheme === 'mutualTLS' ? 'mutualTLS' : `http ${s.httpScheme ?? ''}`;
    default:
      return s.kind;
  }
}

/** A deep copy of requirements, so that no two operations share one. */
export function copyRequirements(reqs: readonly SecurityRequirement[]): SecurityRequirement[] {
  return reqs.map((r) => r.map((s) => ({ scheme: s.scheme, scopes: [...s.scopes] })));
}
