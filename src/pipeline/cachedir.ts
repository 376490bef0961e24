// Where svc keeps what it can compute again, in a service: a folder git
// ignores (it holds its own .gitignore), safe to delete at any time.

/** The folder of svc's per-service caches. */
export const SERVICE_CACHE_DIR = '.svc/cache';

/** The .gitignore that keeps the folder out of version control. */
export const CACHE_GITIGNORE = { path: `${SERVICE_CACHE_DIR}/.gitignore`, content: "# svc's caches: safe to delete\n*\n" };

/** Whether svc's per-service caches are in use: yes, unless SVC_GEN_CACHE=off. */
export function cachesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SVC_GEN_CACHE !== 'off';
}
