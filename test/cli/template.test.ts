import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { SubFileSystem } from '../../src/fs/sub.js';
import type { FileSystem } from '../../src/fs/types.js';
import { genApi } from '../../src/pipeline/gen.js';
import { SVC_VERSION } from '../../src/project/version.js';
import { builtinTemplate } from '../../src/render/templates.js';
import { captureStreams } from '../support/streams.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'svc.js');

/** The CLI in process, one in-memory file system per folder, kept across runs (a folder inside one is a view of it). */
function cli() {
  const systems = new Map<string, MemoryFileSystem>();
  const fsFor = (dir: string): FileSystem => {
    const outer = [...systems.keys()].find((d) => dir.startsWith(`${d}/`));
    return outer ? new SubFileSystem(systems.get(outer)!, dir.slice(outer.length + 1)) : fsAt(dir);
  };
  const fsAt = (dir: string) => {
    let fs = systems.get(dir);
    if (!fs) {
      fs = new MemoryFileSystem();
      systems.set(dir, fs);
    }
    return fs;
  };
  const run = async (...args: string[]) => {
    const io = captureStreams();
    const code = await main(args, { cwd: '/work', stdout: io.stdout, stderr: io.stderr, interactive: false, fsFor });
    return { code, ...io.text };
  };
  return { run, fsAt };
}

const REQUEST_ID = 'service/internal/middleware/requestid.go.hbs';
const COPY = `.svc/templates/${REQUEST_ID}`;
const MARKER = '// CustomMarker: from the service template.';

/** The template with a comment line after its package clause. */
function withMarker(text: string): string {
  expect(text).toMatch(/^package middleware$/m);
  return text.replace(/^package middleware$/m, `package middleware\n\n${MARKER}`);
}

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** A fresh starter service in memory, its templates copied. */
async function serviceWithTemplates(...initArgs: string[]) {
  const c = cli();
  expect((await c.run('new', 'product', '--yes')).code).toBe(0);
  const init = await c.run('template', 'init', '--dir', 'product', ...initArgs);
  return { ...c, fs: c.fsAt('/work/product'), init };
}

describe('svc template init', () => {
  let s: Awaited<ReturnType<typeof serviceWithTemplates>>;
  beforeAll(async () => {
    s = await serviceWithTemplates();
  });

  it('copies the built-in templates the service renders, with a record of the svc version and the built-in hash of each', async () => {
    expect(s.init.code).toBe(0);
    expect(s.init.stderr).toBe('');
    expect(s.init.stdout).toMatch(/^create\s+\.svc\/templates\/deploy\/service\/Makefile\.hbs$/m);
    expect(s.init.stdout).toMatch(/^create\s+\.svc\/templates\/deploy\/service\/Dockerfile\.hbs$/m);
    expect(s.init.stdout).toMatch(/\d+ copied, 0 as the built-in, 0 yours kept, in \.svc\/templates\//);
    const record = JSON.parse((await s.fs.read('.svc/templates/.svc-templates.json'))!) as { version: number; templates: Record<string, { svc: string; hash: string }> };
    expect(record.version).toBe(1);
    expect(record.templates[REQUEST_ID]).toEqual({ svc: SVC_VERSION, hash: sha(builtinTemplate(REQUEST_ID)!) });
    expect(await s.fs.read(COPY)).toBe(builtinTemplate(REQUEST_ID));
    expect(await s.fs.read(`.svc/templates/.base/${REQUEST_ID}`)).toBe(builtinTemplate(REQUEST_ID));
    // Only what this service renders: no cache (features.cache is off), no gRPC gateway, no platform templates.
    const copied = Object.keys(record.templates);
    expect(copied.some((n) => n.startsWith('service/internal/cache/'))).toBe(false);
    expect(copied.some((n) => n.startsWith('service/internal/gateway/'))).toBe(false);
    expect(copied.some((n) => n.startsWith('platform/'))).toBe(false);
    expect(copied.length).toBeGreaterThan(50);
  });

  it('keeps a copy the user edited, and says so', async () => {
    const edited = withMarker(builtinTemplate(REQUEST_ID)!);
    await s.fs.write(COPY, edited);
    const again = await s.run('template', 'init', '--dir', 'product', '--only', 'internal/middleware/requestid.go');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^skip\s+\.svc\/templates\/service\/internal\/middleware\/requestid\.go\.hbs {2}\(your template: kept/m);
    expect(await s.fs.read(COPY)).toBe(edited);
    await s.fs.write(COPY, builtinTemplate(REQUEST_ID)!);
  });

  it('--only selects by template name or by rendered file; a glob that matches nothing is refused', async () => {
    const c = cli();
    await c.run('new', 'product', '--yes');
    const r = await c.run('template', 'init', '--dir', 'product', '--only', '{Makefile,service/go.mod.hbs}', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'create     .svc/templates/deploy/service/Makefile.hbs',
      'create     .svc/templates/service/go.mod.hbs',
      'dry run: 2 copied, 0 as the built-in, 0 yours kept; nothing written',
    ]);
    const fs = c.fsAt('/work/product');
    expect(await fs.exists('.svc/templates')).toBe(false);
    const none = await c.run('template', 'init', '--dir', 'product', '--only', 'nothing/**');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: --only nothing\/\*\*: no template this service uses matches it/);
    expect(await fs.exists('.svc/templates')).toBe(false);
  });

  it('outside a service: one line, exit 1', async () => {
    const r = await cli().run('template', 'init', '--dir', 'nowhere');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['error: /work/nowhere is not an svc service: no svc.yaml (create one with `svc new <name>`)']);
  });
});

describe('a template in .svc/templates overrides the built-in', () => {
  it('svc gen api on the unchanged service with its copied templates changes nothing', async () => {
    const s = await serviceWithTemplates();
    const before = s.fs.writes;
    const r = await s.run('gen', 'api', '--dir', 'product');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0 created, 0 updated, \d+ unchanged$/m);
    expect(s.fs.writes).toBe(before);
  });

  it('an edited copy is what the generated file is rendered from; a second run changes nothing', async () => {
    const s = await serviceWithTemplates('--only', 'internal/middleware/**');
    await s.fs.write(COPY, withMarker((await s.fs.read(COPY))!));
    const r = await s.run('gen', 'api', '--dir', 'product');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^overwrite {2}internal\/middleware\/requestid\.go$/m);
    expect(r.stdout).toMatch(/^0 created, 1 updated, \d+ unchanged$/m);
    const file = (await s.fs.read('internal/middleware/requestid.go'))!;
    expect(file).toContain(MARKER);
    expect(file.startsWith('// Code generated by svc. DO NOT EDIT.')).toBe(true);
    const before = s.fs.writes;
    const again = await s.run('gen', 'api', '--dir', 'product');
    expect(again.stdout).toMatch(/^0 created, 0 updated, \d+ unchanged$/m);
    expect(s.fs.writes).toBe(before);
    // Deleting the copy brings the built-in back.
    await s.fs.remove(COPY);
    const back = await s.run('gen', 'api', '--dir', 'product');
    expect(back.stdout).toMatch(/^overwrite {2}internal\/middleware\/requestid\.go$/m);
    expect(await s.fs.read('internal/middleware/requestid.go')).not.toContain(MARKER);
  });

  it.each([
    ['a block left open', (t: string) => `${t}{{#if proto}}\nnever closed\n`, /template syntax: \{\{#if\}\} is never closed \(no \{\{\/if\}\}\)$/],
    ['a name the context lacks', (t: string) => `${t}{{noSuchThing}}\n`, /"noSuchThing" is not in the template's context/],
  ])('%s is refused with the copy\'s file:line, exit 1, nothing written', async (_name, breakIt, message) => {
    const s = await serviceWithTemplates('--only', 'internal/middleware/requestid.go');
    const good = (await s.fs.read(COPY))!;
    const broken = breakIt(withMarker(good));
    await s.fs.write(COPY, broken);
    const before = s.fs.writes;
    const r = await s.run('gen', 'api', '--dir', 'product');
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    // The line after the copy's own (and the two of the marker).
    const line = good.split('\n').length + 2;
    expect(lines[0]).toMatch(new RegExp(`^error: \\.svc/templates/service/internal/middleware/requestid\\.go\\.hbs:${line}: `));
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(s.fs.writes).toBe(before);
    expect(await s.fs.read('internal/middleware/requestid.go')).not.toContain(MARKER);
  });

  it("svc.yaml's templates: names the folder; a file there that overrides nothing is a warning", async () => {
    const c = cli();
    await c.run('new', 'product', '--yes');
    const fs = c.fsAt('/work/product');
    await fs.write('svc.yaml', `${(await fs.read('svc.yaml'))!}templates: tpl\n`);
    const init = await c.run('template', 'init', '--dir', 'product', '--only', 'internal/middleware/requestid.go');
    expect(init.stdout).toMatch(/^create\s+tpl\/service\/internal\/middleware\/requestid\.go\.hbs$/m);
    expect(await fs.exists('.svc/templates')).toBe(false);
    await fs.write(`tpl/${REQUEST_ID}`, withMarker((await fs.read(`tpl/${REQUEST_ID}`))!));
    await fs.write('tpl/service/internal/nothing.go.hbs', 'package nothing\n');
    const r = await c.run('gen', 'api', '--dir', 'product');
    expect(r.code).toBe(0);
    expect(await fs.read('internal/middleware/requestid.go')).toContain(MARKER);
    expect(r.stderr).toMatch(/^warning: tpl\/service\/internal\/nothing\.go\.hbs: svc has no built-in template of that name, so it is not used/m);
    expect(await fs.exists('internal/nothing.go')).toBe(false);
  });

  it('two services rendered at once each see their own templates only', async () => {
    const c = cli();
    await c.run('new', 'alpha', '--yes');
    await c.run('new', 'beta', '--yes');
    await c.run('template', 'init', '--dir', 'alpha', '--only', 'internal/middleware/requestid.go');
    const alpha = c.fsAt('/work/alpha');
    const beta = c.fsAt('/work/beta');
    await alpha.write(COPY, withMarker((await alpha.read(COPY))!));
    await Promise.all([genApi({ dir: '/work/alpha', fs: alpha }), genApi({ dir: '/work/beta', fs: beta })]);
    expect(await alpha.read('internal/middleware/requestid.go')).toContain(MARKER);
    expect(await beta.read('internal/middleware/requestid.go')).not.toContain(MARKER);
  });
});

describe('in a platform', () => {
  it("one service's templates reach its files only, and an error names the service's copy from the root", async () => {
    const c = cli();
    expect((await c.run('new', 'shop', '--monorepo', '--yes')).code).toBe(0);
    expect((await c.run('add', 'service', 'alpha', '--dir', 'shop', '--skip-tidy')).code).toBe(0);
    expect((await c.run('add', 'service', 'beta', '--dir', 'shop', '--skip-tidy')).code).toBe(0);
    const shop = c.fsAt('/work/shop');
    const makefile = 'deploy/service/Makefile.hbs';
    expect((await c.run('template', 'init', '--dir', 'shop/services/alpha', '--only', makefile)).code).toBe(0);
    const copy = `services/alpha/.svc/templates/${makefile}`;
    expect(await shop.exists(copy)).toBe(true);
    await shop.write(copy, (await shop.read(copy))!.replace(/\n/, '\n# CustomMarker\n'));
    const r = await c.run('gen', 'api', '--dir', 'shop');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^overwrite {2}services\/alpha\/Makefile$/m);
    expect(await shop.read('services/alpha/Makefile')).toContain('# CustomMarker');
    expect(await shop.read('services/beta/Makefile')).not.toContain('# CustomMarker');
    expect(await shop.read('Makefile')).not.toContain('# CustomMarker');

    await shop.write(copy, `${(await shop.read(copy))!}{{oops}}\n`);
    const before = shop.writes;
    const broken = await c.run('gen', 'api', '--dir', 'shop');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^error: services\/alpha\/\.svc\/templates\/deploy\/service\/Makefile\.hbs:\d+: "oops" is not in the template's context/);
    expect(shop.writes).toBe(before);
  });
});

describe('svc template diff', () => {
  it('says nothing changed right after the copy, then shows the change of a built-in since its copy', async () => {
    const s = await serviceWithTemplates('--only', 'internal/middleware/requestid.go');
    const clean = await s.run('template', 'diff', '--dir', 'product');
    expect(clean.code).toBe(0);
    expect(clean.stdout.trim()).toBe('no built-in changed since its copy in .svc/templates/ was made');

    // As if an older svc had copied a built-in with one more line.
    const older = (await s.fs.read(`.svc/templates/.base/${REQUEST_ID}`))!.replace(/^package middleware$/m, 'package middleware\n// a line the old built-in had');
    await s.fs.write(`.svc/templates/.base/${REQUEST_ID}`, older);
    const record = JSON.parse((await s.fs.read('.svc/templates/.svc-templates.json'))!) as { templates: Record<string, { svc: string; hash: string }> };
    record.templates[REQUEST_ID] = { svc: '0.0.1', hash: sha(older) };
    await s.fs.write('.svc/templates/.svc-templates.json', JSON.stringify({ version: 1, ...record }));
    const before = s.fs.writes;
    const r = await s.run('template', 'diff', '--dir', 'product');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${COPY}: the built-in changed since svc 0.0.1 copied it; from the built-in svc 0.0.1 copied to the built-in now:`);
    expect(r.stdout).toContain(`--- a/${REQUEST_ID}\tbuilt-in of svc 0.0.1\n+++ b/${REQUEST_ID}\tbuilt-in of svc ${SVC_VERSION}`);
    expect(r.stdout).toMatch(/^-\/\/ a line the old built-in had$/m);
    expect(s.fs.writes).toBe(before);

    // Without the kept built-in, from the copy.
    await s.fs.remove(`.svc/templates/.base/${REQUEST_ID}`);
    await s.fs.write(COPY, withMarker((await s.fs.read(COPY))!));
    const fromCopy = await s.run('template', 'diff', '--dir', 'product');
    expect(fromCopy.stdout).toContain('from your copy (the built-in it was copied from is not kept) to the built-in now:');
    expect(fromCopy.stdout).toContain(`-${MARKER}`);
  });

  it('names a copy whose built-in svc no longer has, and a template init did not copy', async () => {
    const s = await serviceWithTemplates('--only', 'internal/middleware/requestid.go');
    await s.fs.write('.svc/templates/service/internal/gone.go.hbs', 'package gone\n');
    const record = JSON.parse((await s.fs.read('.svc/templates/.svc-templates.json'))!) as { version: 1; templates: Record<string, { svc: string; hash: string }> };
    record.templates['service/internal/gone.go.hbs'] = { svc: '0.0.1', hash: sha('package gone\n') };
    await s.fs.write('.svc/templates/.svc-templates.json', JSON.stringify(record));
    await s.fs.write('.svc/templates/deploy/service/Makefile.hbs', 'mine\n');
    const r = await s.run('template', 'diff', '--dir', 'product');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('.svc/templates/service/internal/gone.go.hbs: svc has no such built-in template any more, so this copy is not used: delete it');
    expect(r.stderr).toContain('note: .svc/templates/deploy/service/Makefile.hbs: not copied by svc template init, so there is nothing to compare it with');
  });
});

describe('on disk, through the real bin', () => {
  it('a broken copy stops svc gen api before any file is written', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'svc-template-'));
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(run('new', 'product', '--skip-tidy', '--yes').status).toBe(0);
    const dir = join(cwd, 'product');
    // A copy as svc template init makes it (tested in memory above), then broken.
    mkdirSync(join(dir, '.svc/templates/deploy/service'), { recursive: true });
    writeFileSync(join(dir, '.svc/templates/deploy/service/Makefile.hbs'), '# mine\n{{#each}}\n{{/if}}\n');
    const snapshot = tree(dir);
    const r = run('gen', 'api', '--dir', 'product');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: \.svc\/templates\/deploy\/service\/Makefile\.hbs:2: template: each doesn't match if$/m);
    expect(tree(dir)).toEqual(snapshot);
  });
});

/** Every file under dir with its content and mtime. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, tree(dir, rel));
    else out[rel] = `${statSync(join(dir, rel)).mtimeMs}:${sha(readFileSync(join(dir, rel), 'utf8'))}`;
  }
  return out;
}
