import { UsageError, UserError } from '../errors.js';
import { inTransaction, type FileSystem } from '../fs/types.js';
import { addOpenApiOperation, addOpenApiResource, OPENAPI_RESERVED_FIELDS, type Method } from '../edit/openapi.js';
import { addProtoOperation, addProtoResource, PROTO_RESERVED_FIELDS } from '../edit/proto.js';
import { parseFields, resourceName } from '../edit/fields.js';
import { pascal, snake } from '../model/names.js';
import { countActions } from '../plan/plan.js';
import type { ProjectSettings } from '../project/settings.js';
import { artifact } from '../render/artifact.js';
import { generateService, readService, type GenApiResult } from './gen.js';
import { starterContract, starterProto } from './new.js';

export interface AddOptions {
  /** The service root. */
  dir: string;
  fs: FileSystem;
  dryRun?: boolean;
  /** Overwrite generated files edited by hand, as `svc gen api --force`. */
  force?: boolean;
}

export interface AddResourceOptions extends AddOptions {
  /** The resource's name, e.g. `order` or `order-item` (a plural is made singular). */
  name: string;
  /** `--fields name:type,...`; the starter's fields when absent. */
  fields?: string;
  /** `--required a,b`: which of `fields` are required. */
  required?: string[];
}

export interface AddOperationOptions extends AddOptions {
  operationId: string;
  method: Method;
  /** The HTTP path, `{name}` variables whole segments (for a proto service: its google.api.http binding's template). */
  path: string;
  /** The resource the operation belongs to. */
  resource?: string;
}

export interface AddResult extends GenApiResult {
  /** The contract file edited, relative to the service root. */
  contract: string;
}

/**
 * `svc add resource`: adds a CRUD resource shaped as the starter contract's
 * (rendered for the new name) to the service's contract, then re-generates
 * the service from it, all or nothing.
 */
export async function addResource(o: AddResourceOptions): Promise<AddResult> {
  if (o.required !== undefined && o.fields === undefined) throw new UsageError('--required names fields given with --fields: give --fields too');
  const resource = resourceName(o.name);
  return editAndGenerate(o, (text, settings, file) => {
    const proto = settings.contract.kind === 'proto';
    const fields = o.fields === undefined ? undefined : parseFields(o.fields, o.required ?? [], proto ? PROTO_RESERVED_FIELDS : OPENAPI_RESERVED_FIELDS);
    if (proto) return addProtoResource(text, file, starterProto(settings.name, settings.module, snake(resource)), pascal(resource), fields);
    return addOpenApiResource(text, file, starterContract(settings.name, resource), pascal(resource), fields);
  });
}

const OPERATION_ID = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * `svc add operation`: adds one operation (an RPC with its google.api.http
 * binding, for a proto service) whose request and response the user fills
 * in, then re-generates; its stub answers "not implemented" until written.
 */
export async function addOperation(o: AddOperationOptions): Promise<AddResult> {
  if (!OPERATION_ID.test(o.operationId)) throw new UserError(`invalid operation id "${o.operationId}": use letters and digits, starting with a letter (e.g. approveOrder)`);
  if (!o.path.startsWith('/') || /\s/.test(o.path)) throw new UsageError(`--path ${o.path}: an HTTP path starts with / and has no spaces (e.g. /orders/{id}/approve)`);
  const resource = o.resource === undefined ? undefined : resourceName(o.resource);
  return editAndGenerate(o, (text, settings, file) => {
    const spec = { operationId: o.operationId, method: o.method, path: o.path, ...(resource !== undefined ? { resource } : {}) };
    return settings.contract.kind === 'proto' ? addProtoOperation(text, file, spec) : addOpenApiOperation(text, file, spec);
  });
}

/**
 * Edits the contract and re-generates the service from the edited text. The
 * contract is written with the generated files, in the same transaction;
 * when a generated file is in conflict nothing is written, the contract
 * neither. The plan lists the contract first.
 */
async function editAndGenerate(o: AddOptions, edit: (text: string, settings: ProjectSettings, file: string) => string): Promise<AddResult> {
  const { settings, contract } = await readService(o.fs, o.dir);
  const before = contract.text!;
  const after = edit(before, settings, contract.displayPath);
  return inTransaction(o.fs, async () => {
    const dryRun = o.dryRun ?? false;
    const result = await generateService(settings, { ...contract, text: after }, { fs: o.fs, force: o.force ?? false, dryRun });
    result.plan.changes.unshift({ action: 'overwrite', artifact: artifact(settings.contract.path, after), previous: before, reason: 'the contract, edited' });
    if (!dryRun && countActions(result.plan).conflict === 0) {
      await o.fs.write(settings.contract.path, after);
      result.written.unshift(settings.contract.path);
    }
    return { ...result, contract: settings.contract.path };
  });
}

