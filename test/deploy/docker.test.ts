import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureCases, renderFixture } from '../../src/devtools/fixtures.js';
import { GO_BUILDER_IMAGE } from '../../src/render/deploy.js';
import { GO_VERSION } from '../../src/render/project.js';
import { ADMIN_PORT, GRPC_PORT, HTTP_PORT, NONROOT_UID } from '../../src/render/runtime.js';
import { STRICT_DOCKERFILE as STRICT } from './support.js';

/**
 * The generated Dockerfile, linted offline with dockerfile-utils and held to
 * the rules of a hardened image: pinned builder, no `latest`, static
 * stamped build with cache mounts, distroless non-root final stage, ports
 * exposed, a health check that needs no shell.
 */

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [keyword, ...rest] = l.trim().split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
}


describe.each(fixtureCases())('the Dockerfile of fixture %s', (caseName) => {
  let files: Map<string, string>;
  let name = '';
  let docker: Instruction[] = [];
  let stages: Instruction[][] = [];

  beforeAll(async () => {
    const { fs, result } = await renderFixture(caseName);
    files = fs.files;
    name = result.plan.changes.find((c) => c.artifact.path.startsWith('cmd/'))!.artifact.path.split('/')[1]!;
    docker = instructions(files.get('Dockerfile')!);
    stages = [];
    for (const i of docker) {
      if (i.keyword === 'FROM') stages.push([]);
      stages[stages.length - 1]!.push(i);
    }
  });

  it('passes the dockerfile-utils linter with every rule on', () => {
    expect(validate(files.get('Dockerfile')!, STRICT)).toEqual([]);
  });

  it('pins every base image to a tag that is not latest; the builder to a Go patch release', () => {
    const froms = docker.filter((i) => i.keyword === 'FROM').map((i) => i.args.split(/\s+/)[0]!);
    expect(froms).toHaveLength(2);
    for (const image of froms) {
      expect(image, image).toMatch(/^[^:@]+(:[\w][\w.-]*)?(@sha256:[0-9a-f]{64})?$/);
      expect(image, image).toMatch(/:[\w][\w.-]*/);
      expect(image, image).not.toMatch(/:latest\b/);
    }
    expect(froms[0]).toBe(GO_BUILDER_IMAGE);
    expect(froms[0]).toMatch(new RegExp(`^golang:${GO_VERSION.replace('.', '\\.')}\\.\\d+-`));
    expect(froms[1]).toBe('gcr.io/distroless/static-debian12:nonroot');
  });

  it('builds a static, trimmed, stamped binary with BuildKit cache mounts', () => {
    const build = stages[0]!;
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const compile = runs.find((r) => r.includes('go build'))!;
    expect(compile).toMatch(/CGO_ENABLED=0 go build -trimpath -tags "\$\{TAGS\}"/);
    expect(compile).toMatch(/-ldflags "[^"]*-X main\.version=\$\{VERSION\} -X main\.commit=\$\{COMMIT\}/);
    expect(compile).toMatch(/--mount=type=cache,target=\/go\/pkg\/mod/);
    expect(compile).toMatch(/--mount=type=cache,target=\/root\/\.cache\/go-build/);
    expect(runs.find((r) => r.includes('go mod download'))).toMatch(/--mount=type=cache,target=\/go\/pkg\/mod/);
  });

  it('runs as a numeric non-root user with only the binary and its config, ports exposed, a shell-free health check', () => {
    const final = stages[1]!;
    const users = final.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users).toEqual([`${NONROOT_UID}:${NONROOT_UID}`]);
    expect(NONROOT_UID).toBeGreaterThan(0);
    // The binary, its config and, for a SQLite service, its empty data folder owned by the user.
    const sqlite = files.has('migrations/embed.go');
    expect(final.filter((i) => i.keyword === 'COPY').map((i) => i.args)).toEqual([
      `--from=build /out/${name} /app/${name}`,
      '--from=build /src/configs/config.yaml /app/configs/config.yaml',
      ...(sqlite ? [`--from=build --chown=${NONROOT_UID}:${NONROOT_UID} /out/data /app/data`] : []),
    ]);
    expect(final.filter((i) => i.keyword === 'RUN')).toEqual([]);
    const grpc = files.has('internal/config/grpc.go');
    expect(final.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args)).toEqual([
      String(HTTP_PORT.containerPort),
      ...(grpc ? [String(GRPC_PORT.containerPort)] : []),
      String(ADMIN_PORT.containerPort),
    ]);
    const healthcheck = final.find((i) => i.keyword === 'HEALTHCHECK')!.args;
    expect(healthcheck).toMatch(new RegExp(`CMD \\["/app/${name}", "healthcheck"\\]$`));
    expect(final.find((i) => i.keyword === 'ENTRYPOINT')!.args).toBe(`["/app/${name}"]`);
  });

  it('keeps secrets, VCS data and build output out of the build context', () => {
    const ignored = files.get('.dockerignore')!.split('\n');
    for (const entry of ['.git', '**/.env', '**/.env.*', 'bin', '.svc', 'deployments']) expect(ignored).toContain(entry);
  });

  it('has Makefile targets to build and push the image', () => {
    const makefile = files.get('Makefile')!;
    expect(makefile).toMatch(/^image: .*\n\tdocker build --build-arg VERSION=\$\(VERSION\) --build-arg COMMIT=\$\(COMMIT\) --build-arg TAGS="\$\(TAGS\)" -t \$\(IMAGE\):\$\(TAG\) \.$/m);
    expect(makefile).toMatch(/^image-push: image .*\n\tdocker push \$\(IMAGE\):\$\(TAG\)$/m);
  });

  it.runIf(hasMake())('make help lists every target, k8s among them, with the image named; make image tags what each overlay deploys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svc-make-'));
    writeFileSync(join(dir, 'Makefile'), files.get('Makefile')!);
    const make = (...args: string[]) => execFileSync('make', ['--no-print-directory', '-C', dir, ...args], { encoding: 'utf8' });
    const targets = [...files.get('Makefile')!.matchAll(/^([a-zA-Z0-9_-]+):.*## /gm)].map((m) => m[1]);
    expect(targets).toContain('k8s');
    const help = make('help');
    expect(help.trim().split('\n').map((l) => l.trim().split(/\s+/)[0])).toEqual(targets);
    expect(help).not.toMatch(/\$\(/);
    for (const env of ['dev', 'staging', 'prod']) {
      const component = parse(files.get(`deployments/${env}/svc/kustomization.yaml`)!) as { images: { newName: string; newTag: string }[] };
      const deployed = `${component.images[0]!.newName}:${component.images[0]!.newTag}`;
      expect(make('help', `ENV=${env}`)).toContain(`Build the container image ${deployed} `);
      expect(make('-n', 'image', `ENV=${env}`)).toMatch(new RegExp(`^docker build .* -t ${deployed.replaceAll('.', '\\.')} `, 'm'));
    }
  });
});

function hasMake(): boolean {
  try {
    execFileSync('make', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
