import type { LoadedAsyncAPI } from '../load/asyncapi.js';
import { parsePointer } from '../load/source.js';
import type { OpenAPIDocument } from '../load/index.js';
import type { EventMessage, ServiceModel, TypeDecl } from '../model/types.js';
import { pascal } from '../model/names.js';
import { BuildContext } from './openapi/context.js';
import { typeRefOf } from './openapi/schemas.js';

/**
 * Adds the events of an AsyncAPI document to a service's model: one
 * EventMessage per operation, and the payloads' types among the model's
 * (components/schemas by their names, inline payloads named after the
 * message). A payload type named as one of the contract's must be the same
 * type; otherwise the document is refused at the schema.
 */
export function addEvents(model: ServiceModel, loaded: LoadedAsyncAPI): void {
  // The schema transforms read components/schemas and follow local $refs, as in OpenAPI.
  const ctx = new BuildContext(loaded.document as unknown as OpenAPIDocument, loaded.source);
  const events: EventMessage[] = loaded.operations.map((op) => {
    const message = op.messages[0]!;
    const payload = typeRefOf(ctx, getAt(loaded.document, message.payloadPointer), message.payloadPointer, pascal(message.name));
    const e: EventMessage = { name: op.name, action: op.action, type: op.address, payload };
    if (op.summary) e.summary = op.summary;
    return e;
  });
  const byName = new Map(model.types.map((t) => [t.name, t]));
  for (const [name, decl] of ctx.types) {
    const known = byName.get(name);
    if (!known) {
      model.types.push(decl);
      continue;
    }
    if (!sameDecl(known, decl)) {
      const at = [...ctx.names].find(([, n]) => n === name)?.[0] ?? '#/components/schemas';
      throw loaded.source.error(at, `schema ${name} differs from the contract's type of the same name: give it another name, or make it the same`);
    }
  }
  model.types.sort((a, b) => a.name.localeCompare(b.name));
  ctx.locateWarnings();
  model.warnings.push(...ctx.warnings);
  model.events = events;
}

function getAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const s of parsePointer(pointer)) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[s] : undefined;
  return node;
}

/** Two declarations are the same type when their shapes match (descriptions and examples aside). */
function sameDecl(a: TypeDecl, b: TypeDecl): boolean {
  return JSON.stringify(shape(a)) === JSON.stringify(shape(b));
}

function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'description' || k === 'example' || k === 'examples' || k === 'inFileOf' || k === 'title') continue;
    out[k] = shape(x);
  }
  return out;
}
