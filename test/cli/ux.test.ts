import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { captureStreams } from '../support/streams.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'svc.js');

function svc(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI in-process, one in-memory file system per folder; returns what it wrote where. */
async function inMemory(args: string[]) {
  const systems = new Map<string, MemoryFileSystem>();
  const io = captureStreams();
  const code = await main(args, {
    cwd: '/work',
    stdout: io.stdout,
    stderr: io.stderr,
    interactive: false,
    fsFor: (dir) => systems.get(dir) ?? systems.set(dir, new MemoryFileSystem({})).get(dir)!,
  });
  const written = [...systems].filter(([, fs]) => fs.writes > 0).map(([dir]) => dir);
  return { code, ...io.text, written };
}

/**
 * Runs svc under a pseudo-terminal (util-linux `script`), as a person at a
 * terminal would: each key is typed once the output so far matches its cue.
 */
function atTerminal(args: string[], cwd: string, keys: { after: RegExp; type: string }[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env: { ...process.env, TERM: 'xterm' } });
  let output = '';
  let next = 0;
  const pump = () => {
    const key = keys[next];
    if (key && key.after.test(output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))) {
      next++;
      setTimeout(() => child.stdin.write(key.type), 100);
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    pump();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((done) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output: output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replaceAll('\r', '') });
    }),
  );
}

const hasScript = spawnSync('script', ['--version']).status === 0;

/** The command paths under `svc`, found from each command's own help (so a new command is covered as it lands). */
function commandPaths(): string[][] {
  const out: string[][] = [];
  const walk = (path: string[]) => {
    const help = svc([...path, '--help'], tmpdir()).stdout;
    const section = /\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(help)?.[1] ?? '';
    const subs = section.split('\n').map((l) => /^ {2}([a-z][a-z0-9-]*)/.exec(l)?.[1]).filter((s): s is string => s !== undefined && s !== 'help');
    if (path.length > 0 && subs.length === 0) out.push(path);
    for (const s of subs) walk([...path, s]);
  };
  walk([]);
  return out;
}

describe('exit codes and where help goes', () => {
  it('svc and svc gen without a subcommand: help on stderr, exit 2; help asked for: stdout, exit 0', () => {
    for (const args of [[], ['gen'], ['add']]) {
      const r = svc(args, tmpdir());
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^Usage: svc/);
    }
    for (const args of [['--help'], ['gen', '--help'], ['help', 'gen', 'api']]) {
      const r = svc(args, tmpdir());
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^Usage: svc/);
    }
    expect(svc(['help', 'gen', 'api'], tmpdir()).stdout).toMatch(/^Usage: svc gen api /);
  });

  it('a bad --replicas, name or module is a usage error (2); a missing --dir is named as missing (1)', async () => {
    for (const args of [['new', 'Bad', '-y'], ['new', 'ok', '--module', 'a//b', '-y'], ['new', 'ok', '--database', 'nosql', '-y'], ['new', 'ok', '--transport', 'grpc', '-y'], ['new', 'ok', '--proto', '--transport', 'http', '-y']]) {
      const r = await inMemory(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.written).toEqual([]);
    }
    const r = svc(['gen', 'api', '--dir', '/nonexistent/svc'], tmpdir());
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: /nonexistent/svc does not exist\n');
  });
});

describe('help', () => {
  const paths = commandPaths();

  it('finds the commands', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(expect.arrayContaining(['new', 'gen api', 'gen client', 'gen k8s', 'gen docker', 'gen helm', 'add service', 'doctor']));
  });

  it.each(paths.map((p) => [p.join(' ')]))('svc %s --help has examples, and offers --yes only if it prompts', (path) => {
    const help = svc([...path.split(' '), '--help'], tmpdir()).stdout;
    expect(help).toMatch(/\nExamples:\n {2}svc /);
    expect(help.includes('--yes')).toBe(path === 'new');
  });

  it('says nothing more when its reader goes away (svc new --help | head -1)', () => {
    // The reader reads one line, then closes the pipe: svc's next write fails with EPIPE.
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" new --help | head -1`], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.stdout).toBe('Usage: svc new [options] <name>\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('shows the defaults of svc new', () => {
    const help = svc(['new', '--help'], tmpdir()).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--transport <kind> transport to serve \(default: http/);
    expect(help).toMatch(/--database <kind> where data is kept \(default: sql\)/);
  });
});

describe('arguments that used to be read the wrong way', () => {
  it('--proto before the name is the starter proto, and the name stays the name', async () => {
    const r = await inMemory(['new', '--proto', 'cart', '-y', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/create +cartproto\/cart\.proto/);
  });

  it('-I takes one folder; the name after it stays the name', async () => {
    const r = await inMemory(['new', '-I', 'protos', 'mysvc', '--proto', '-y', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/create +mysvcproto\/mysvc\.proto/);
  });

  it('--proto followed by a path is that file', async () => {
    const r = await inMemory(['new', 'cart', '--proto', './nope.proto', '-y', '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.proto/);
  });
});

describe('on disk', { timeout: 60_000 }, () => {
  it('svc gen api finds svc.yaml from a folder below the service; --skip-tidy says to tidy next', () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-ux-'));
    const made = svc(['new', 'shop', '-y', '--skip-tidy', '--database', 'memory'], parent);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/Next: cd shop && go mod tidy && make run/);
    const r = svc(['gen', 'api'], join(parent, 'shop', 'internal', 'handler'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/0 created, 0 updated, \d+ unchanged/);
  });

  it('a failed go mod tidy says failed, not done, keeps go\'s output short and gives no Next line', () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-ux-'));
    const cache = mkdtempSync(join(tmpdir(), 'svc-ux-modcache-'));
    const r = svc(['new', 'shop', '-y', '--database', 'memory'], parent, { GOPROXY: 'off', GOMODCACHE: cache, GOFLAGS: '-mod=mod' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/go mod tidy: failed in /);
    expect(r.stderr).not.toMatch(/go mod tidy: done/);
    expect(r.stderr).toMatch(/error: go mod tidy failed in /);
    expect(r.stderr.split('\n').length).toBeLessThan(20);
    expect(r.stdout).not.toMatch(/Next:/);
    spawnSync('chmod', ['-R', 'u+w', cache]);
  });
});

describe.skipIf(!hasScript)('prompts at a terminal', { timeout: 60_000 }, () => {
  it('Ctrl-C at a prompt prints aborted, exits 130 and writes nothing', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-ux-'));
    const r = await atTerminal(['new', 'cup'], parent, [{ after: /Go module path/, type: '\x03' }]);
    expect(r.code).toBe(130);
    expect(r.output).toMatch(/aborted; nothing was written/);
    expect(r.output).not.toMatch(/internal error|ExitPromptError|report the bug/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a bad module path is refused at its prompt, before the next question', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-ux-'));
    const r = await atTerminal(['new', 'cup'], parent, [
      { after: /Go module path/, type: '\x15a//b\r' },
      { after: /invalid Go module path "a\/\/b"/, type: '\x03' },
    ]);
    expect(r.output).toMatch(/invalid Go module path "a\/\/b"/);
    expect(r.output).not.toMatch(/Contract to start from/);
    expect(r.code).toBe(130);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a missing contract file is refused at its prompt', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-ux-'));
    const r = await atTerminal(['new', 'cup', '--module', 'example.com/cup'], parent, [
      { after: /Contract to start from/, type: '\x1b[B\r' },
      { after: /Path to the OpenAPI file/, type: 'nope.yaml\r' },
      { after: /nope\.yaml does not exist/, type: '\x03' },
    ]);
    expect(r.output).toMatch(/nope\.yaml does not exist/);
    expect(r.output).not.toMatch(/Database/);
    expect(r.code).toBe(130);
  });

  it('asks for every choice a flag could give, events and cache included, and records the answers', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-ux-'));
    const r = await atTerminal(['new', 'cup', '--skip-tidy'], parent, [
      { after: /Go module path/, type: '\r' },
      { after: /Contract to start from/, type: '\r' },
      { after: /Database/, type: '\x1b[B\r' },
      { after: /Events/, type: '\x1b[B\r' },
      { after: /Cache repository reads/, type: '\x1b[B\x1b[B\r' },
    ]);
    expect(r.code, r.output).toBe(0);
    const settings = readFileSync(join(parent, 'cup', 'svc.yaml'), 'utf8');
    expect(settings).toMatch(/database: memory/);
    expect(settings).toMatch(/events: nats/);
    expect(settings).toMatch(/cache: redis/);
  });

  it('an existing folder is refused before the first question', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'svc-ux-'));
    mkdirSync(join(parent, 'cup'));
    writeFileSync(join(parent, 'cup', 'notes.txt'), 'mine');
    const r = await atTerminal(['new', 'cup'], parent, []);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/target directory .*cup exists and is not empty/);
    expect(r.output).not.toMatch(/Go module path/);
    expect(existsSync(join(parent, 'cup', 'svc.yaml'))).toBe(false);
  });
});
