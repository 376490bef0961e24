import { parse, stringify } from 'yaml';
import { UserError } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { SETTINGS_PATH } from './settings.js';

/** Where a platform keeps its services, one folder each. */
export const SERVICES_DIR = 'services';

/** Where a platform keeps the protos its services share, as their contracts import them. */
export const SHARED_PROTO_PREFIX = 'shared/proto/';

/** A platform's own settings: its root svc.yaml. */
export interface PlatformSettings {
  kind: 'platform';
  name: string;
  /** The Go module of the root: the shared runtime's, and the prefix of the services' modules. */
  module: string;
}

export function serializePlatformSettings(s: PlatformSettings): string {
  const body = stringify({ kind: 'platform', name: s.name, module: s.module }, { lineWidth: 0 });
  return (
    '# Settings of this platform for the svc generator: its services are the\n' +
    `# folders of ${SERVICES_DIR}/ with a svc.yaml of their own (svc add service).\n` +
    `# Run \`svc gen api\` here to bring every service in step with its contract.\n${body}`
  );
}

/**
 * The platform settings at the root of fs, or undefined when its svc.yaml
 * is not a platform's (a service's, or none).
 */
export async function readPlatformSettings(fs: FileSystem): Promise<PlatformSettings | undefined> {
  const text = await fs.read(SETTINGS_PATH);
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    return undefined; // readSettings reports it
  }
  if (typeof data !== 'object' || data === null || (data as Record<string, unknown>).kind !== 'platform') return undefined;
  const d = data as Record<string, unknown>;
  const bad = (what: string) => new UserError(`${SETTINGS_PATH}: ${what}`);
  if (typeof d.name !== 'string' || d.name === '') throw bad('"name" must be a non-empty string');
  if (typeof d.module !== 'string' || d.module === '') throw bad('"module" must be a non-empty string');
  return { kind: 'platform', name: d.name, module: d.module };
}

/** The names of the platform's services: the folders of services/ holding a svc.yaml. */
export async function platformServices(fs: FileSystem): Promise<string[]> {
  const out: string[] = [];
  for (const name of await fs.list(SERVICES_DIR)) {
    if (await fs.exists(`${SERVICES_DIR}/${name}/${SETTINGS_PATH}`)) out.push(name);
  }
  return out.sort();
}
