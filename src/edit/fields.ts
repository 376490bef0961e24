import { UsageError, UserError } from '../errors.js';
import { singular, words } from '../model/names.js';

/** The field types `svc add resource --fields` takes; `[]T` is a list of T. */
export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'date-time'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One field of a resource the user asked for: `title:string`, `tags:[]string`. */
export interface FieldSpec {
  /** snake_case, as the contract's properties are named. */
  name: string;
  type: FieldType;
  /** A list of `type`. */
  list: boolean;
  required: boolean;
}

const FIELD_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const RESOURCE_NAME = /^[a-z][a-z0-9]*([-_][a-z0-9]+)*$/;

/**
 * Parses `--fields name:type,...` and `--required a,b`. Every mistake is a
 * usage error (exit 2) naming the part that is wrong; `reserved` are the
 * names the resource shape sets itself (its identifier and timestamps).
 */
export function parseFields(spec: string, required: readonly string[], reserved: readonly string[]): FieldSpec[] {
  const fields: FieldSpec[] = [];
  for (const raw of spec.split(',').map((s) => s.trim())) {
    if (raw === '') throw new UsageError(`--fields: an empty field in "${spec}": give name:type pairs separated by commas, e.g. title:string,amount:number`);
    const colon = raw.indexOf(':');
    if (colon < 0) throw new UsageError(`--fields: "${raw}" has no type: write it name:type, the type one of ${typeList()}`);
    const name = raw.slice(0, colon).trim();
    let type = raw.slice(colon + 1).trim();
    if (!FIELD_NAME.test(name)) throw new UsageError(`--fields: invalid field name "${name}": use lower-case letters, digits and single underscores, starting with a letter (e.g. due_date)`);
    if (reserved.includes(name)) throw new UsageError(`--fields: "${name}" is set by the resource itself (${reserved.join(', ')}): choose another name`);
    if (fields.some((f) => f.name === name)) throw new UsageError(`--fields: the field "${name}" is given twice`);
    const list = type.startsWith('[]');
    if (list) type = type.slice(2);
    if (!(FIELD_TYPES as readonly string[]).includes(type)) throw new UsageError(`--fields: unknown type "${raw.slice(colon + 1).trim()}" for "${name}": use one of ${typeList()}`);
    fields.push({ name, type: type as FieldType, list, required: false });
  }
  for (const name of required) {
    const field = fields.find((f) => f.name === name);
    if (!field) throw new UsageError(`--required: "${name}" is not one of the fields given with --fields (${fields.map((f) => f.name).join(', ')})`);
    field.required = true;
  }
  return fields;
}

function typeList(): string {
  return `${FIELD_TYPES.join(', ')} (or a list, e.g. []string)`;
}

/**
 * Checks a resource name and gives its singular: `order`, `order-item`,
 * `orders` → `order`. An invalid name is a user error (exit 1), as an invalid
 * service name is.
 */
export function resourceName(name: string): string {
  if (!RESOURCE_NAME.test(name)) {
    throw new UserError(`invalid resource name "${name}": use lower-case letters, digits and single dashes, starting with a letter (e.g. order, order-item)`);
  }
  const ws = words(name);
  ws[ws.length - 1] = singular(ws[ws.length - 1]!);
  return ws.join('-');
}
