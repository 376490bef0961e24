#!/usr/bin/env node
// Speed and memory of generating from a large real-world proto, for the
// record: `svc new --proto` then `svc gen api` on Compute Engine's API
// (google/cloud/compute/v1/compute.proto from google-proto-files: 125
// services, 993 RPCs, all with google.api.http bindings). svc's figures
// include protoc and its plugins, which svc runs as child processes; the peak
// RSS is svc's own (Node) process. For comparison the script then times
// protoc + protoc-gen-go + protoc-gen-go-grpc alone on the same file (what a
// Kratos or goctl user runs before their own tool), with its peak RSS.
//   npm run build && node bench/proto.js
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIBRARY_PROTOS } from '../dist/load/proto.js';
import { findTools } from '../dist/tools/protoc.js';
import { fmt, svc, timed } from './measure.js';

const CONTRACT = 'google/cloud/compute/v1/compute.proto';



const tools = await findTools();
for (const name of ['protoc', 'protoc-gen-go', 'protoc-gen-go-grpc']) {
  if (tools[name].missing) {
    console.error(`${name} is missing: ${tools[name].install} (or run svc doctor --install)`);
    process.exit(1);
  }
}

const work = mkdtempSync(join(tmpdir(), 'svc-bench-proto-'));
try {
  const dir = join(work, 'compute');
  const created = svc(['new', 'compute', '--proto', join(LIBRARY_PROTOS, CONTRACT), '-I', LIBRARY_PROTOS, '--dir', dir, '--yes', '--skip-tidy'], work);
  const services = created.out.split('\n').map((l) => /^\s*service \S+: (\d+) RPCs/.exec(l)).filter(Boolean);
  const summary = `${services.length} services, ${services.reduce((n, m) => n + Number(m[1]), 0)} RPCs`;
  const regenerated = svc(['gen', 'api'], dir);
  console.log(`compute svc new --proto   ${fmt(created)}   (${summary})`);
  console.log(`compute svc gen api       ${fmt(regenerated)}`);

  const out = join(work, 'protoc-out');
  mkdirSync(out);
  const plain = timed(
    tools.protoc.path,
    [
      `--plugin=protoc-gen-go=${tools['protoc-gen-go'].path}`,
      `--plugin=protoc-gen-go-grpc=${tools['protoc-gen-go-grpc'].path}`,
      `-I${LIBRARY_PROTOS}`,
      `--go_out=${out}`,
      `--go-grpc_out=${out}`,
      CONTRACT,
    ],
    work,
  );
  console.log(`compute protoc alone      ${fmt(plain)}   (protoc ${tools.protoc.version}, go and go-grpc plugins; peak RSS of protoc itself)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
