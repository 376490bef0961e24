import type { RpcModel } from './rpc.js';
/**
 * The language-neutral model of a service (the IR). It is built from a
 * contract by `src/build` and is all that `src/render` sees: nothing here
 * knows whether the contract was OpenAPI or protobuf, or what Go looks like.
 * Names are kept as the contract spells them; renderers derive identifiers.
 */

export interface ServiceModel {
  /** Short service name, e.g. `product`. */
  name: string;
  title: string;
  version: string;
  description?: string;
  types: TypeDecl[];
  operations: Operation[];
  resources: Resource[];
  /** Things the builder could only approximate; shown to the user as warnings. */
  warnings: string[];
  /** The RPC services, messages and proto files, for a protobuf contract. */
  rpc?: RpcModel;
  /** The security schemes the contract declares, in declaration order (OpenAPI `components.securitySchemes`, or svc.yaml `security.schemes` for a proto contract). */
  securitySchemes: SecurityScheme[];
  /** The events an AsyncAPI document beside the contract declares (resource events are implied by resources). */
  events?: EventMessage[];
}

/** One event the service sends or receives, as an AsyncAPI operation declares it. */
export interface EventMessage {
  /** The operation's name, e.g. `onProductCreated`: it names the Go handler or publish method. */
  name: string;
  action: 'send' | 'receive';
  /** The event type (the channel's address), e.g. `product.created`. */
  type: string;
  /** The payload's type. */
  payload: TypeRef;
  summary?: string;
}

/**
 * How a scheme's credentials are carried and checked: `bearer` (HTTP bearer,
 * a JWT), `basic` (HTTP basic), `apiKey` (a key in a header, query parameter
 * or cookie), `oauth2` and `openIdConnect` (a bearer JWT with scopes), or
 * `custom` (any other HTTP scheme, or mutualTLS: no default verifier).
 */
export type SecuritySchemeKind = 'bearer' | 'basic' | 'apiKey' | 'oauth2' | 'openIdConnect' | 'custom';

export interface SecurityScheme {
  /** The scheme's name in the contract, e.g. `bearerAuth`. */
  name: string;
  kind: SecuritySchemeKind;
  description?: string;
  /** http bearer: the token format hint, e.g. `JWT`. */
  bearerFormat?: string;
  /** custom: the HTTP authentication scheme (`digest`, `hoba`…) or `mutualTLS`. */
  httpScheme?: string;
  /** apiKey: where the key is sent… */
  in?: 'header' | 'query' | 'cookie';
  /** …and the header, query parameter or cookie name. */
  param?: string;
  /** openIdConnect: the discovery document URL. */
  openIdConnectUrl?: string;
  /** oauth2: the scopes the flows declare, name → description. */
  scopes?: Record<string, string>;
  /** oauth2: the flows object as the contract writes it (for documents derived from the model). */
  flows?: Record<string, unknown>;
}

/** One scheme of a requirement, with the scopes (or roles) it must grant. */
export interface SchemeRequirement {
  scheme: string;
  scopes: string[];
}

/**
 * One security requirement: every scheme in it must be satisfied (AND). An
 * empty requirement allows anonymous access.
 */
export type SecurityRequirement = SchemeRequirement[];

/** Per-operation limits from the contract (`x-svc-timeout`, `x-svc-max-body`, `x-svc-rate-limit`). */
export interface OperationLimits {
  /** Deadline of one request, in milliseconds. */
  timeoutMs?: number;
  /** Largest request body, in bytes. */
  maxBodyBytes?: number;
  /** Requests one client may make: `requests` per `perMs` milliseconds, bursts of up to `burst`. */
  rateLimit?: { requests: number; perMs: number; burst?: number };
}

export type ScalarKind =
  | 'string'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'datetime'
  | 'date'
  | 'uuid'
  | 'bytes';

export type TypeRef =
  | { kind: 'scalar'; scalar: ScalarKind }
  | { kind: 'named'; name: string }
  | { kind: 'array'; items: TypeRef; itemConstraints?: Constraints }
  | { kind: 'map'; values: TypeRef }
  | { kind: 'any' };

/** Validation rules carried from the contract to generated validation code. */
export interface Constraints {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minItems?: number;
  maxItems?: number;
  format?: string;
}

export interface Field {
  /** Name on the wire, e.g. `created_at`. */
  name: string;
  description?: string;
  type: TypeRef;
  required: boolean;
  nullable: boolean;
  readOnly: boolean;
  constraints: Constraints;
  example?: unknown;
  default?: unknown;
}

/** Where a type is written. */
export interface DeclPlacement {
  /**
   * An inline schema's type is written in the file of the type it is nested
   * in (a component, or the first type of its operation): that type's name.
   */
  inFileOf?: string;
}

export interface ObjectDecl extends DeclPlacement {
  kind: 'object';
  name: string;
  description?: string;
  fields: Field[];
  /** No properties other than `fields` are allowed (OpenAPI `additionalProperties: false`). */
  closed?: boolean;
}

export interface EnumValue {
  value: string | number;
  description?: string;
}

export interface EnumDecl extends DeclPlacement {
  kind: 'enum';
  name: string;
  description?: string;
  base: 'string' | 'int';
  values: EnumValue[];
}

export interface AliasDecl extends DeclPlacement {
  kind: 'alias';
  name: string;
  description?: string;
  type: TypeRef;
  constraints: Constraints;
}

/** One alternative of a union. */
export interface UnionVariant {
  type: TypeRef;
  /** Constraints of an inline scalar variant (a named one carries its own). */
  constraints: Constraints;
  /** Discriminator values that select this variant. */
  tags: string[];
}

/**
 * A value that is exactly one of several types (OpenAPI oneOf/anyOf). With a
 * discriminator, a property of the JSON object names the variant; without
 * one, decoders try the variants in order.
 */
export interface UnionDecl extends DeclPlacement {
  kind: 'union';
  name: string;
  description?: string;
  variants: UnionVariant[];
  discriminator?: string;
}

export type TypeDecl = ObjectDecl | EnumDecl | AliasDecl | UnionDecl;

export type ParamLocation = 'path' | 'query' | 'header' | 'cookie';

export interface Parameter {
  name: string;
  in: ParamLocation;
  /** How the value is serialised (OpenAPI style): form, simple, deepObject, spaceDelimited, pipeDelimited… */
  style?: string;
  /** Whether list and object values are exploded (repeated keys) rather than joined. */
  explode?: boolean;
  description?: string;
  type: TypeRef;
  required: boolean;
  constraints: Constraints;
  default?: unknown;
  example?: unknown;
}

export interface Body {
  type: TypeRef;
  required: boolean;
  contentType: string;
  example?: unknown;
}

export interface Response {
  /** HTTP status, e.g. 200; 0 stands for `default`. */
  status: number;
  /** The status as the contract writes it (`200`, `4XX`, `default`), when it was read from one. */
  code?: string;
  description?: string;
  /** Absent for responses without a body (e.g. 204). */
  type?: TypeRef;
  contentType?: string;
  /** The body is an RFC 9457 problem document (problem+json, or a schema with its members). */
  problem?: boolean;
  /** The response's other media types (text, XML, PDF, images…), each sent as raw bytes. */
  alternatives?: ResponseContent[];
  /** Names of the response headers the contract documents. */
  headers?: string[];
}

/** One more media type a response can be sent as. */
export interface ResponseContent {
  contentType: string;
  type: TypeRef;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface Operation {
  /** Unique name, e.g. `createProduct`. */
  name: string;
  method: HttpMethod;
  /** Path template, e.g. `/products/{id}`. */
  path: string;
  /** Group the operation belongs to (the first tag, or a default). */
  group: string;
  summary?: string;
  description?: string;
  deprecated: boolean;
  parameters: Parameter[];
  body?: Body;
  /** The success response the service returns. */
  success: Response;
  /** Other documented responses (errors, default). */
  otherResponses: Response[];
  /**
   * The contract's explicit word on which resource the operation belongs to
   * (OpenAPI `x-svc-resource`), where its shape alone is ambiguous.
   */
  resourceMarker?: ResourceMarker;
  /**
   * Who may call the operation: any one of the requirements (OR). The
   * contract's top-level requirements when the operation has none; empty
   * when it is public (no requirements, or `security: []`).
   */
  security: SecurityRequirement[];
  /** Limits stricter or looser than the server-wide ones. */
  limits?: OperationLimits;
  /** How long the records it reads stay cached (`x-svc-cache-ttl`), in milliseconds; the resource's TTL when it is its get or list. */
  cacheTtlMs?: number;
  /**
   * The contract's word (`x-svc-idempotent`) on whether repeating the
   * operation is safe, overriding what its method says; clients retry only
   * idempotent operations.
   */
  idempotent?: boolean;
}

/** Whether a client may repeat the operation: GET, HEAD, OPTIONS, PUT and DELETE are, unless the contract says otherwise. */
export function isIdempotent(op: Operation): boolean {
  return op.idempotent ?? ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].includes(op.method);
}

/** An explicit resource marker: the operation is `method` of resource `name`, or (exclude) of none. */
export type ResourceMarker = { exclude: true } | { exclude?: false; name: string; method?: CrudKind };

export type CrudKind = 'create' | 'get' | 'list' | 'update' | 'delete';

/**
 * A resource recognised in the contract: an entity type with a collection of
 * standard operations the generator can implement end to end.
 */
export interface Resource {
  /** Singular name, e.g. `Product`. */
  name: string;
  /** Plural, e.g. `products`. */
  plural: string;
  /** The named object type stored and returned. */
  entity: string;
  /**
   * Wire name of the identifier field, e.g. `id`: required, a string (or
   * uuid) or an integer (int32, int64); item operations name a record by a
   * path parameter of the same type.
   */
  idField: string;
  /**
   * How a new record gets its identifier: `uuid`, a string the service
   * assigns; `client`, the value the create request carries (its body
   * requires the identifier field); `database`, an integer the database
   * assigns. Absent means `uuid`.
   */
  idAssignment?: 'uuid' | 'client' | 'database';
  /**
   * Operation names by standard method: those the contract has. A resource
   * may lack update and delete, and even get when it lists and creates.
   */
  operations: Partial<Record<CrudKind, string>>;
  /** How list pages are shaped, when there is a list operation. */
  list?: ListShape;
  /** How the resource was recognised: REST paths, standard RPC names, or an explicit marker. */
  recognisedBy?: 'rest' | 'rpc' | 'marker';
  /**
   * The field that changes on every write, when the entity carries one: an
   * integer `version` (or `revision`) or a string `etag`. Writes then use
   * optimistic concurrency.
   */
  concurrency?: { field: string; kind: 'version' | 'etag' };
}

export interface ListShape {
  /**
   * The list response type, an object holding the page in `itemsField`;
   * both absent when the list answers with a bare array of the entity. Such a
   * list has no next-page token: it answers one page of `pageSizeParam`
   * records (e.g. `limit`), or of up to `defaultPageSize` without one.
   */
  responseType?: string;
  itemsField?: string;
  nextTokenField?: string;
  pageSizeParam?: string;
  pageTokenParam?: string;
  defaultPageSize: number;
  maxPageSize: number;
}
