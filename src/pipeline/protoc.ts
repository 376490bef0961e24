import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LIBRARY_PROTOS } from '../load/proto.js';
import { GO_GENERATED_HEADER, artifact, type Artifact } from '../render/artifact.js';
import type { ProtocJob } from '../render/proto/index.js';
import { formatDocComments } from '../render/go/format.js';
import { startProtoc, type GeneratedFile } from '../tools/protoc.js';

/**
 * Starts protoc (with protoc-gen-go and protoc-gen-go-grpc) on the job, from
 * a scratch copy of its sources (so nothing is written into the service
 * before the plan is made), and resolves once protoc is running: the caller
 * renders the rest of the service meanwhile, then calls the returned
 * function, once, for the Go files as generated artifacts. Aborting `signal`
 * stops protoc (the function then rejects, having removed its folders).
 */
export async function startServiceProtoc(job: ProtocJob | undefined, signal?: AbortSignal): Promise<() => Promise<Artifact[]>> {
  if (!job) return async () => [];
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
      // protoc-gen-go formats its output, but gofmt reflows some doc
      // comments (numbered lists in Google's protos) on a second pass: the
      // same rewrite svc applies to its own Go, without a gofmt run that
      // takes longer than protoc on a large API (bench/corpus/gofmt.js
      // compares the result with real gofmt over the proto corpus).
      gofmt: false,
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    // A missing protoc is reported when its files are asked for: a mistake
    // in the contract, found while rendering, is reported first.
    await rm(scratch, { recursive: true, force: true });
    return () => Promise.reject(err);
  }
  return async () => {
    try {
      return (await files()).map((g) => artifact(g.path, `${GO_GENERATED_HEADER}\n${g.path.endsWith('.go') ? formatDocComments(g.contents) : g.contents}`));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
}
