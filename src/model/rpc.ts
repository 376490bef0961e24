import type { SecurityRequirement } from './types.js';

/**
 * The RPC part of the service model, built from a protobuf contract: the
 * services and their methods, the messages and enums they use, and the proto
 * files the Go code is generated from. Language-neutral: Go names and import
 * paths are decided by the renderers (except each file's Go package, which
 * the contract itself states with `go_package`).
 */
export interface RpcModel {
  /** Every proto file of the contract and its transitive imports, sorted by path. */
  files: ProtoFile[];
  /** The services declared by the contract's own files (not by its imports). */
  services: RpcService[];
  /** Every message of every file, by full name without the leading dot (`google.pubsub.v1.Topic`). */
  messages: Record<string, RpcMessage>;
  /** Every enum, by full name. */
  enums: Record<string, RpcEnum>;
}

export interface ProtoFile {
  /** Import path, e.g. `google/pubsub/v1/pubsub.proto`. */
  path: string;
  /** Proto package, e.g. `google.pubsub.v1`. */
  package: string;
  /** The `go_package` option as written (`import/path;name`), if any. */
  goPackage?: string;
  /**
   * `contract`: a file of the service's own contract (its Go code is generated
   * into the service); `import`: another imported file whose Go code is also
   * generated into the service; `provided`: a file whose Go code an existing
   * Go module already has (google/protobuf, google/api, google/rpc, google/type).
   */
  origin: 'contract' | 'import' | 'provided';
  /** Read from the protos shipped with svc (google-proto-files) rather than the user's folders. */
  library: boolean;
  /** The file's text, for copying it into the service (`third_party/` or the contract folder). */
  text: string;
  /** Import paths of the files it imports directly. */
  imports: string[];
}

export interface RpcService {
  name: string;
  /** `google.pubsub.v1.Publisher`. */
  fullName: string;
  /** Import path of the file declaring it. */
  file: string;
  comment?: string;
  methods: RpcMethod[];
}

export interface RpcMethod {
  name: string;
  comment?: string;
  /** Full names of the request and response messages. */
  input: string;
  output: string;
  clientStreaming: boolean;
  serverStreaming: boolean;
  /** REST bindings from `google.api.http` (the main one first, then `additional_bindings`). */
  http: HttpRule[];
  /** Where the method is declared, for messages: `file:line`. */
  location: string;
  /**
   * The name of the model operation (`ServiceModel.operations`) its main
   * HTTP binding is, when it has one: how resources, whose standard methods
   * are operations, find their RPCs.
   */
  operation?: string;
  /**
   * Who may call it (svc.yaml `security`, proto having no words for it): any
   * one of the requirements (OR); empty when it is public. Absent when
   * svc.yaml has no security section: every RPC is public.
   */
  security?: SecurityRequirement[];
}

export interface HttpRule {
  /** GET, POST, PUT, PATCH, DELETE, or a custom verb's name as written. */
  method: string;
  /** The path template as written, e.g. `/v1/{name=projects/*\/topics/*}:publish`. */
  path: string;
  /** `*` (the whole request), a top-level field name, or absent (no body). */
  body?: string;
  /** The response field sent as the body instead of the whole response. */
  responseBody?: string;
}

export type FieldKind = 'scalar' | 'message' | 'enum';

export interface RpcField {
  /** The name in the proto (snake_case usually). */
  name: string;
  /** The proto3 JSON name (lowerCamelCase unless `json_name` says otherwise). */
  jsonName: string;
  number: number;
  /** Scalar name (`string`, `int64`, `bytes`, ...) or the full name of a message or enum. */
  type: string;
  kind: FieldKind;
  repeated: boolean;
  /** For map fields: the key's scalar type (`type`/`kind` are then the value's). */
  mapKey?: string;
  /** Explicit presence (`optional` in proto3, or any proto2 optional field). */
  optional: boolean;
  /** The real `oneof` the field belongs to (not the synthetic one of a proto3 `optional`). */
  oneof?: string;
  /** `google.api.field_behavior` values, e.g. REQUIRED, OUTPUT_ONLY. */
  behaviors: string[];
  comment?: string;
}

export interface RpcMessage {
  name: string;
  fullName: string;
  /** Import path of the declaring file. */
  file: string;
  comment?: string;
  fields: RpcField[];
  /** Real oneofs (not proto3 `optional` ones) with the names of their fields. */
  oneofs: { name: string; fields: string[] }[];
  /** The `google.api.resource` option: the resource's type, name patterns and name field. */
  resource?: ResourceDescriptor;
}

/** AIP-123's resource descriptor, as far as svc reads it. */
export interface ResourceDescriptor {
  /** `library.googleapis.com/Book`. */
  type: string;
  /** Name patterns, e.g. `shelves/{shelf}/books/{book}`. */
  patterns: string[];
  /** The field holding the resource name; `name` unless the option says otherwise. */
  nameField: string;
}

export interface RpcEnum {
  name: string;
  fullName: string;
  file: string;
  comment?: string;
  values: { name: string; number: number; comment?: string }[];
}
