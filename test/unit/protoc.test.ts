import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import {
  findTools,
  PROTOC_GEN_GO_GRPC_VERSION,
  PROTOC_GEN_GO_VERSION,
  PROTOC_PLUGINS,
  protocCommandLine,
  runProtoc,
  type ProtocCommandOptions,
} from '../../src/tools/protoc.js';

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A folder holding only a link to the real `go`, when there is one. */
async function pathWithOnlyGo(): Promise<string> {
  const dir = tempDir('svc-path-');
  const real = await findTools();
  if (!real.go.missing) symlinkSync(real.go.path, join(dir, 'go'));
  return dir;
}

/** An environment where only `dirs` are searched: no project tools folder, an empty GOPATH. */
function isolatedEnv(dirs: string[]): NodeJS.ProcessEnv {
  return { ...process.env, PATH: dirs.join(delimiter), SVC_TOOLS_BIN: '', GOBIN: '', GOPATH: tempDir('svc-gopath-') };
}

function fakeTool(dir: string, name: string, versionLine: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho "${versionLine}"\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('protocCommandLine', () => {
  const base = { includes: ['proto'], files: ['proto/greet.proto'], outDir: 'gen' };
  const cases: [string, ProtocCommandOptions, string[]][] = [
    [
      'messages only',
      { ...base, grpc: false },
      ['--proto_path=proto', '--go_out=gen', 'proto/greet.proto'],
    ],
    [
      'with gRPC',
      { ...base, grpc: true },
      ['--proto_path=proto', '--go_out=gen', '--go-grpc_out=gen', '--go-grpc_opt=require_unimplemented_servers=false', 'proto/greet.proto'],
    ],
    [
      'go options go to both plugins, in order',
      { ...base, grpc: true, goOptions: ['module=example.com/x', 'Mgreet.proto=example.com/x/gen;greetpb'] },
      [
        '--proto_path=proto',
        '--go_out=gen',
        '--go_opt=module=example.com/x',
        '--go_opt=Mgreet.proto=example.com/x/gen;greetpb',
        '--go-grpc_out=gen',
        '--go-grpc_opt=require_unimplemented_servers=false',
        '--go-grpc_opt=module=example.com/x',
        '--go-grpc_opt=Mgreet.proto=example.com/x/gen;greetpb',
        'proto/greet.proto',
      ],
    ],
    [
      'go options without gRPC',
      { ...base, grpc: false, goOptions: ['paths=source_relative'] },
      ['--proto_path=proto', '--go_out=gen', '--go_opt=paths=source_relative', 'proto/greet.proto'],
    ],
    [
      'several includes and files',
      { includes: ['proto', 'third_party'], files: ['a.proto', 'b.proto'], outDir: 'out', grpc: false },
      ['--proto_path=proto', '--proto_path=third_party', '--go_out=out', 'a.proto', 'b.proto'],
    ],
    [
      'plugin paths',
      { ...base, grpc: true, plugins: { 'protoc-gen-go': '/bin/pgg', 'protoc-gen-go-grpc': '/bin/pggg' } },
      [
        '--proto_path=proto',
        '--plugin=protoc-gen-go=/bin/pgg',
        '--plugin=protoc-gen-go-grpc=/bin/pggg',
        '--go_out=gen',
        '--go-grpc_out=gen',
        '--go-grpc_opt=require_unimplemented_servers=false',
        'proto/greet.proto',
      ],
    ],
    [
      'no gRPC plugin path without gRPC',
      { ...base, grpc: false, plugins: { 'protoc-gen-go': '/bin/pgg', 'protoc-gen-go-grpc': '/bin/pggg' } },
      ['--proto_path=proto', '--plugin=protoc-gen-go=/bin/pgg', '--go_out=gen', 'proto/greet.proto'],
    ],
  ];
  it.each(cases)('%s', (_name, options, expected) => {
    expect(protocCommandLine(options)).toEqual(expected);
  });
});

describe('pinned plugin versions', () => {
  it('are the ones svc installs', () => {
    expect(PROTOC_GEN_GO_VERSION).toBe('v1.36.6');
    expect(PROTOC_GEN_GO_GRPC_VERSION).toBe('v1.5.1');
    expect(PROTOC_PLUGINS.map((p) => `${p.pkg}@${p.version}`)).toEqual([
      'google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6',
      'google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1',
    ]);
  });
});

describe('findTools', () => {
  it('reports protoc and the plugins missing, with their install commands', async () => {
    const tools = await findTools({ env: isolatedEnv([await pathWithOnlyGo()]) });
    expect(tools.protoc).toMatchObject({ missing: true });
    expect(tools.protoc.install).toContain('apt-get install protobuf-compiler');
    expect(tools['protoc-gen-go']).toMatchObject({ missing: true, pinned: 'v1.36.6' });
    expect(tools['protoc-gen-go'].install).toContain('go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6');
    expect(tools['protoc-gen-go'].install).toContain('svc doctor --install');
    expect(tools['protoc-gen-go-grpc'].install).toContain('go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1');
  });

  it('reads versions and flags a plugin off its pin', async () => {
    const bin = tempDir('svc-fake-');
    fakeTool(bin, 'protoc', 'libprotoc 3.21.12');
    fakeTool(bin, 'protoc-gen-go', 'protoc-gen-go v1.30.0');
    fakeTool(bin, 'protoc-gen-go-grpc', 'protoc-gen-go-grpc 1.5.1');
    const tools = await findTools({ env: isolatedEnv([bin]) });
    expect(tools.protoc).toMatchObject({ missing: false, path: join(bin, 'protoc'), version: '3.21.12', versionMismatch: false });
    expect(tools['protoc-gen-go']).toMatchObject({ missing: false, version: 'v1.30.0', pinned: 'v1.36.6', versionMismatch: true });
    expect(tools['protoc-gen-go-grpc']).toMatchObject({ missing: false, version: 'v1.5.1', versionMismatch: false });
  });

  it('prefers a plugin at the pinned version over an earlier one that is not, and looks in SVC_TOOLS_BIN', async () => {
    const early = tempDir('svc-early-');
    const project = tempDir('svc-project-');
    fakeTool(early, 'protoc-gen-go', 'protoc-gen-go v1.30.0');
    const pinned = fakeTool(project, 'protoc-gen-go', `protoc-gen-go ${PROTOC_GEN_GO_VERSION}`);
    const tools = await findTools({ env: { ...isolatedEnv([early]), SVC_TOOLS_BIN: project } });
    expect(tools['protoc-gen-go']).toMatchObject({ missing: false, path: pinned, versionMismatch: false });
  });

  it('looks in $GOPATH/bin', async () => {
    const env = isolatedEnv([await pathWithOnlyGo()]);
    const plugin = fakeTool(join(env.GOPATH!, 'bin'), 'protoc-gen-go-grpc', `protoc-gen-go-grpc ${PROTOC_GEN_GO_GRPC_VERSION}`);
    const tools = await findTools({ env });
    expect(tools['protoc-gen-go-grpc']).toMatchObject({ missing: false, path: plugin, versionMismatch: false });
  });
});

describe('runProtoc errors', () => {
  it('names the install command when protoc is missing', async () => {
    const env = isolatedEnv([await pathWithOnlyGo()]);
    const run = runProtoc({ includes: ['.'], files: ['x.proto'], outDir: 'gen', grpc: true, env });
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(run).rejects.toThrow(/^protoc is not installed: run `apt-get install protobuf-compiler`/);
  });

  it('names the install command when a plugin is missing', async () => {
    const bin = tempDir('svc-fake-');
    fakeTool(bin, 'protoc', 'libprotoc 3.21.12');
    fakeTool(bin, 'protoc-gen-go', `protoc-gen-go ${PROTOC_GEN_GO_VERSION}`);
    const run = runProtoc({ includes: ['.'], files: ['x.proto'], outDir: 'gen', grpc: true, env: isolatedEnv([bin]) });
    await expect(run).rejects.toThrow(
      'protoc-gen-go-grpc is not installed: run `svc doctor --install` or `go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1`',
    );
  });
});

// The real run needs protoc and the pinned plugins. In CI scripts/setup.sh
// installs them (protoc with apt-get, the plugins into .tools/gobin), so there
// a missing tool fails the test; on a developer machine without them it is
// skipped (run `svc doctor --install`, or scripts/setup.sh, to enable it).
const real = await findTools();
const realMissing = (['protoc', 'protoc-gen-go', 'protoc-gen-go-grpc'] as const).filter((n) => real[n].missing);
const skipReal = realMissing.length > 0 && !process.env.CI;

describe.skipIf(skipReal)('runProtoc with the real toolchain', () => {
  const proto = `syntax = "proto3";

package greet.v1;

option go_package = "example.com/greet/gen/greetv1;greetv1";

message HelloRequest {
  string name = 1;
}

message HelloReply {
  string message = 1;
}

service Greeter {
  rpc SayHello(HelloRequest) returns (HelloReply);
}
`;

  function workspace(): string {
    expect(realMissing, 'scripts/setup.sh installs protoc and the protoc plugins').toEqual([]);
    const dir = tempDir('svc-protoc-');
    mkdirSync(join(dir, 'proto', 'greet', 'v1'), { recursive: true });
    writeFileSync(join(dir, 'proto', 'greet', 'v1', 'greet.proto'), proto);
    return dir;
  }

  it('generates the messages and the gRPC service', async () => {
    const dir = workspace();
    const files = await runProtoc({ cwd: dir, includes: ['proto'], files: ['proto/greet/v1/greet.proto'], outDir: 'gen', grpc: true, tools: real });
    expect(files.map((f) => f.path)).toEqual(['example.com/greet/gen/greetv1/greet.pb.go', 'example.com/greet/gen/greetv1/greet_grpc.pb.go']);
    const [pb, grpc] = files.map((f) => f.contents) as [string, string];
    expect(pb).toContain('package greetv1');
    expect(pb).toContain('type HelloRequest struct');
    expect(pb).toContain('type HelloReply struct');
    expect(pb).toContain(`protoc-gen-go ${PROTOC_GEN_GO_VERSION}`);
    expect(grpc).toContain('type GreeterClient interface');
    expect(grpc).toContain('type GreeterServer interface');
    expect(grpc).toContain('func RegisterGreeterServer(');
    expect(grpc).toContain(`protoc-gen-go-grpc ${PROTOC_GEN_GO_GRPC_VERSION}`);
    // require_unimplemented_servers=false: servers need not embed UnimplementedGreeterServer.
    const server = /type GreeterServer interface \{[^}]*\}/.exec(grpc)?.[0];
    expect(server).toContain('SayHello(context.Context, *HelloRequest) (*HelloReply, error)');
    expect(server).not.toContain('mustEmbedUnimplementedGreeterServer');
    // And they are written to outDir.
    expect(readFileSync(join(dir, 'gen', 'example.com/greet/gen/greetv1/greet.pb.go'), 'utf8')).toBe(pb);
  });

  it('passes go options to both plugins (module=)', async () => {
    const dir = workspace();
    const files = await runProtoc({
      cwd: dir,
      includes: ['proto'],
      files: ['proto/greet/v1/greet.proto'],
      outDir: 'gen',
      goOptions: ['module=example.com/greet'],
      grpc: true,
      tools: real,
    });
    expect(files.map((f) => f.path)).toEqual(['gen/greetv1/greet.pb.go', 'gen/greetv1/greet_grpc.pb.go']);
    expect(existsSync(join(dir, 'gen', 'gen', 'greetv1', 'greet_grpc.pb.go'))).toBe(true);
  });

  it('messages only without grpc', async () => {
    const dir = workspace();
    const files = await runProtoc({ cwd: dir, includes: ['proto'], files: ['proto/greet/v1/greet.proto'], outDir: 'gen', grpc: false, tools: real });
    expect(files.map((f) => f.path)).toEqual(['example.com/greet/gen/greetv1/greet.pb.go']);
  });

  it("throws protoc's error text as a UserError", async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'proto', 'bad.proto'), 'syntax = "proto3";\nmessage Broken {\n  strin name = 1;\n}\n');
    const run = runProtoc({ cwd: dir, includes: ['proto'], files: ['proto/bad.proto'], outDir: 'gen', grpc: true, tools: real });
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(run).rejects.toThrow(/^protoc failed: .*bad\.proto:3:/);
  });
});
