import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LIBRARY_PROTOS } from '../load/proto.js';
import { GO_GENERATED_HEADER, artifact, type Artifact } from '../render/artifact.js';
import type { ProtocJob } from '../render/proto/index.js';
import { startProtoc, type GeneratedFile } from '../tools/protoc.js';

/**
 * Starts protoc (with protoc-gen-go and protoc-gen-go-grpc) on the job, from
 * a scratch copy of its sources (so nothing is written into the service
 * before the plan is made), and resolves once protoc is running: the caller
 * renders the rest of the service meanwhile, then calls the returned
 * function, once, for the Go files as generated artifacts.
 */
export async function startServiceProtoc(job: ProtocJob | undefined): Promise<() => Promise<Artifact[]>> {
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
    });
  } catch (err) {
    // A missing protoc is reported when its files are asked for: a mistake
    // in the contract, found while rendering, is reported first.
    await rm(scratch, { recursive: true, force: true });
    return () => Promise.reject(err);
  }
  return async () => {
    try {
      return (await files()).map((g) => artifact(g.path, `${GO_GENERATED_HEADER}\n${g.contents}`));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
}
