import type { CrudKind, ResourceMarker } from '../../model/types.js';
import { ptr, type BuildContext, type Json } from './context.js';

/** The OpenAPI extension that says which resource an operation belongs to. */
export const RESOURCE_EXTENSION = 'x-svc-resource';

const METHODS: readonly CrudKind[] = ['create', 'get', 'list', 'update', 'delete'];

/**
 * Reads `x-svc-resource` from an operation:
 *
 *     x-svc-resource: products                      # resource "products", method from HTTP method and path
 *     x-svc-resource: { name: products, method: get }
 *     x-svc-resource: false                         # never part of a resource
 */
export function resourceMarker(ctx: BuildContext, raw: Json, at: string): ResourceMarker | undefined {
  const value = raw[RESOURCE_EXTENSION];
  if (value === undefined) return undefined;
  const where = ptr(at, RESOURCE_EXTENSION);
  if (value === false) return { exclude: true };
  if (typeof value === 'string' && value.trim() !== '') return { name: value.trim() };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { name, method } = value as Record<string, unknown>;
    if (typeof name !== 'string' || name.trim() === '') throw ctx.error(where, `${RESOURCE_EXTENSION} needs a "name" (the resource's plural, e.g. products)`);
    if (method === undefined) return { name: name.trim() };
    if (typeof method !== 'string' || !METHODS.includes(method as CrudKind)) {
      throw ctx.error(ptr(where, 'method'), `${RESOURCE_EXTENSION} method must be one of ${METHODS.join(', ')}`);
    }
    return { name: name.trim(), method: method as CrudKind };
  }
  throw ctx.error(where, `${RESOURCE_EXTENSION} must be a resource name, { name, method } or false`);
}
