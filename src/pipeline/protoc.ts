import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LIBRARY_PROTOS } from '../load/proto.js';
import { GO_GENERATED_HEADER, artifact, type Artifact } from '../render/artifact.js';
import type { ProtocJob } from '../render/proto/index.js';
import { formatDocComments } from '../render/go/format.js';
import { findTools, protocCommandLine, startProtoc, type GeneratedFile, type Toolchain } from '../tools/protoc.js';
import { SERVICE_CACHE_DIR } from './cachedir.js';

/** Where a service keeps protoc's last output, with the key of what it was generated from. */
export const PROTOC_CACHE_PATH = `${SERVICE_CACHE_DIR}/protoc.json`;

/** What protoc's run gives: the Go files as generated artifacts, and, when protoc ran, the cache entry to keep of its output. */
export interface ProtocOutput {
  artifacts: Artifact[];
  /** The text of PROTOC_CACHE_PATH for this output; undefined when it came from there. */
  cache?: string;
}

export interface ServiceProtocOptions {
  /** Stops protoc when aborted (the run then rejects, having removed its folders). */
  signal?: AbortSignal;
  /**
   * The service's PROTOC_CACHE_PATH, when it has one, and a way to read the
   * files it names back from the service: each as svc last wrote it (its
   * hash the manifest's), or undefined when any is not.
   */
  cached?: { text: string; read(paths: readonly string[]): Promise<Artifact[] | undefined> };
}

/**
 * Starts protoc (with protoc-gen-go and protoc-gen-go-grpc) on the job, from
 * a scratch copy of its sources (so nothing is written into the service
 * before the plan is made), and resolves once protoc is running: the caller
 * renders the rest of the service meanwhile, then calls the returned
 * function, once, for the Go files as generated artifacts.
 *
 * protoc's output depends on nothing but its inputs: the sources, the
 * options, the versions of protoc and its plugins, and the protos bundled
 * with svc; the files svc makes of it, on svc's build too. The key of all
 * that is kept with the paths of the files (`cache`); when `cached` holds the
 * same key, and the service holds those files as svc wrote them, they are the
 * output and protoc does not run (a contract unchanged since the last run:
 * `svc gen api` after `svc new`, or after a change to svc.yaml or to a
 * template).
 */
export async function startServiceProtoc(job: ProtocJob | undefined, options: ServiceProtocOptions = {}): Promise<() => Promise<ProtocOutput>> {
  if (!job) return async () => ({ artifacts: [] });
  const tools = await findTools();
  const { buildId } = await import('./fingerprint.js');
  const key = protocKey(job, tools, buildId());
  const paths = key !== undefined && options.cached !== undefined ? fromCache(options.cached.text, key) : undefined;
  const hit = paths ? await options.cached!.read(paths) : undefined;
  if (hit) return async () => ({ artifacts: hit });
  const scratch = await mkdtemp(join(tmpdir(), 'svc-proto-'));
  let files: () => Promise<GeneratedFile[]>;
  try {
    const src = join(scratch, 'src');
    for (const f of job.sources) {
      const p = join(src, f.path);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, f.text);
    }
    files = await startProtoc({
      includes: [src, LIBRARY_PROTOS],
      files: job.files,
      outDir: join(scratch, 'out'),
      goOptions: job.goOptions,
      grpc: true,
      cwd: scratch,
      tools,
      // protoc-gen-go formats its output, but gofmt reflows some doc
      // comments (numbered lists in Google's protos) on a second pass: the
      // same rewrite svc applies to its own Go, without a gofmt run that
      // takes longer than protoc on a large API (bench/corpus/gofmt.js
      // compares the result with real gofmt over the proto corpus).
      gofmt: false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    // A missing protoc is reported when its files are asked for: a mistake
    // in the contract, found while rendering, is reported first.
    await rm(scratch, { recursive: true, force: true });
    return () => Promise.reject(err);
  }
  return async () => {
    try {
      const generated = await files();
      return { artifacts: generated.map(toArtifact), ...(key !== undefined ? { cache: `${key}\n${JSON.stringify(generated.map((g) => g.path))}\n` } : {}) };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
}

/** One of protoc's files as the service's generated artifact: svc's header, doc comments in gofmt's form. */
function toArtifact(g: GeneratedFile): Artifact {
  return artifact(g.path, `${GO_GENERATED_HEADER}\n${g.path.endsWith('.go') ? formatDocComments(g.contents) : g.contents}`);
}

/**
 * The key of protoc's output for a job: a hash of its command line (but the
 * folders), every source it reads from the service (path and text), the
 * version of the protos svc bundles (the others it reads), the versions of
 * protoc and both plugins, and svc's build (which makes the files of the
 * output). Undefined when a tool is missing (protoc then says so when run).
 */
function protocKey(job: ProtocJob, tools: Toolchain, svc: string): string | undefined {
  const versions: string[] = [];
  for (const name of ['protoc', 'protoc-gen-go', 'protoc-gen-go-grpc'] as const) {
    const tool = tools[name];
    if (tool.missing || tool.version === undefined) return undefined;
    versions.push(`${name} ${tool.version}`);
  }
  const h = createHash('sha256');
  const line = protocCommandLine({ includes: ['<src>', '<protos>'], files: job.files, outDir: '<out>', goOptions: job.goOptions, grpc: true });
  h.update(JSON.stringify({ version: 1, line, versions, protos: bundledProtosVersion(), svc }));
  for (const f of job.sources) h.update(`\0${f.path}\0${f.text.length}\0`).update(f.text);
  return `svc-protoc-1 ${h.digest('base64url')}`;
}

/** The paths a cache entry names when its key is `key`; undefined for another key, or an entry that does not read back. */
function fromCache(text: string, key: string): string[] | undefined {
  const eol = text.indexOf('\n');
  if (eol < 0 || text.slice(0, eol) !== key) return undefined;
  try {
    const paths = JSON.parse(text.slice(eol + 1)) as unknown;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) return undefined;
    return paths as string[];
  } catch {
    return undefined;
  }
}

let bundled: string | undefined;

/** The version of google-proto-files, whose protos protoc reads besides the service's. */
function bundledProtosVersion(): string {
  bundled ??= (JSON.parse(readFileSync(join(LIBRARY_PROTOS, 'package.json'), 'utf8')) as { version: string }).version;
  return bundled;
}
