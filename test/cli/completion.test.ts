import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { DATABASES } from '../../src/project/settings.js';
import { captureStreams } from '../support/streams.js';

// The completion scripts are checked against what `svc --help` says, an
// independent reading of the same commander tree: every command, every
// option, every declared choice must complete, in each shell.

async function run(args: string[]) {
  const io = captureStreams();
  const code = await main(args, { cwd: tmpdir(), stdout: io.stdout, stderr: io.stderr, interactive: false });
  return { code, ...io.text };
}

interface HelpOption {
  flags: string[];
  takesValue: boolean;
  choices: string[];
}

/** What one command's `--help` lists: its subcommands and its options. */
interface HelpPage {
  path: string[];
  commands: string[];
  options: HelpOption[];
}

/** The entries of one `Title:` section of a help page, continuation lines joined. */
function section(help: string, title: string): string[] {
  const body = new RegExp(`^${title}:\\n((?:  .*\\n?)*)`, 'm').exec(help)?.[1] ?? '';
  const entries: string[] = [];
  for (const line of body.split('\n')) {
    if (/^ {2}\S/.test(line)) entries.push(line.trim());
    else if (line.trim() !== '' && entries.length > 0) entries[entries.length - 1] += ` ${line.trim()}`;
  }
  return entries;
}

async function helpPage(path: string[]): Promise<HelpPage> {
  const r = await run([...path, '--help']);
  expect(r.code).toBe(0);
  const commands = section(r.stdout, 'Commands').map((e) => e.split(/\s/)[0]!);
  const options = section(r.stdout, 'Options').map((e) => {
    const term = /^(.*?)(?: {2,}|$)/.exec(e)![1]!;
    const listed = /\(choices: ((?:"[^"]*"(?:, )?)+)/.exec(e)?.[1] ?? '';
    const choices = [...listed.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    return { flags: term.match(/--?[\w-]+/g)!, takesValue: /[<[]/.test(term), choices };
  });
  return { path, commands, options };
}

/** Every help page, from the root down. */
async function allPages(path: string[] = []): Promise<HelpPage[]> {
  const page = await helpPage(path);
  const below = await Promise.all(page.commands.filter((c) => c !== 'help').map((c) => allPages([...path, c])));
  return [page, ...below.flat()];
}

async function script(shell: string) {
  const r = await run(['completion', shell]);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  const dir = mkdtempSync(join(tmpdir(), 'svc-completion-'));
  const file = join(dir, `svc.${shell}`);
  writeFileSync(file, r.stdout);
  return { text: r.stdout, file };
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** The line prefixes to complete, and what each should offer, derived from the help pages. */
function expectations(pages: HelpPage[]): { line: string; want: string[]; exact: boolean }[] {
  const out: { line: string; want: string[]; exact: boolean }[] = [];
  for (const p of pages) {
    const prefix = ['svc', ...p.path].join(' ');
    if (p.commands.length > 0) out.push({ line: `${prefix} `, want: p.commands, exact: true });
    const longs = p.options.flatMap((o) => o.flags.filter((f) => f.startsWith('--')));
    out.push({ line: `${prefix} --`, want: longs, exact: true });
    for (const o of p.options.filter((o) => o.choices.length > 0)) out.push({ line: `${prefix} ${o.flags.at(-1)} `, want: o.choices, exact: true });
  }
  return out;
}

let pages: HelpPage[];
beforeAll(async () => {
  pages = await allPages();
});

describe('svc completion', () => {
  it('the help pages it is checked against are read (so the checks below check something)', () => {
    const paths = pages.map((p) => p.path.join(' '));
    for (const p of ['', 'new', 'gen', 'gen api', 'gen client', 'gen k8s', 'add', 'add service', 'doctor', 'completion']) expect(paths).toContain(p);
    const database = pages.find((p) => p.path.join(' ') === 'new')!.options.find((o) => o.flags.includes('--database'))!;
    expect(database.choices).toEqual([...DATABASES]);
    expect(pages.find((p) => p.path.join(' ') === '')!.commands).toContain('completion');
  });

  it('refuses an unknown shell as a usage mistake (exit 2), printing no script', async () => {
    const r = await run(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish/);
  });

  it('its help has examples', async () => {
    const r = await run(['completion', '--help']);
    expect(r.stdout).toMatch(/Examples:\n {2}svc completion bash > /);
  });

  it('bash: the script parses, and completes every command, option and declared choice', async () => {
    const { file } = await script('bash');
    expect(spawnSync('bash', ['-n', file]).status).toBe(0);
    const cases = expectations(pages);
    // One bash runs every case: COMP_WORDS from the line (a trailing space starts a new, empty word).
    const driver = [
      `source ${JSON.stringify(file)}`,
      'c() { read -r -a COMP_WORDS <<<"$1"; [[ "$1" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _svc_completion; echo "${COMPREPLY[*]}"; }',
      ...cases.map((c) => `c ${JSON.stringify(c.line)}`),
    ].join('\n');
    const r = spawnSync('bash', ['-c', driver], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = r.stdout.split('\n');
    cases.forEach((c, i) => {
      const words = got[i]!.split(' ').filter((w) => w !== '');
      expect({ line: c.line, words: words.sort() }).toEqual({ line: c.line, words: [...c.want].sort() });
    });
    // Option values are skipped when finding the command: `--module gen` is not the `gen` command.
    const skipped = spawnSync('bash', ['-c', `${driver.split('\n').slice(0, 2).join('\n')}\nc 'svc new --module gen --data'`], { encoding: 'utf8' });
    expect(skipped.stdout.trim()).toBe('--database');
    // After an option whose value is optional (`--proto [file]`), a word starting with - is the next option.
    const optional = spawnSync('bash', ['-c', `${driver.split('\n').slice(0, 2).join('\n')}\nc 'svc new --proto --skip'`], { encoding: 'utf8' });
    expect(optional.stdout.trim()).toBe('--skip-tidy');
    const dirs = spawnSync('bash', ['-c', `${driver.split('\n').slice(0, 2).join('\n')}\nc 'svc gen api --dir ${join(file, '..')}'`], { encoding: 'utf8' });
    expect(dirs.stdout.trim()).toBe(join(file, '..'));
  });

  it('zsh: the script defines a function per command with every option and choice', async () => {
    const { text, file } = await script('zsh');
    if (has('zsh')) expect(spawnSync('zsh', ['-n', file], { encoding: 'utf8' }).stderr).toBe('');
    expect(text.startsWith('#compdef svc\n')).toBe(true);
    for (const p of pages) {
      const fn = ['_svc', ...p.path].join('_').replace(/-/g, '_');
      const body = new RegExp(`^${fn}\\(\\) \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(text)?.[1];
      expect(body, fn).toBeDefined();
      for (const c of p.commands) expect(body).toContain(`'${c}:`);
      for (const o of p.options) {
        for (const f of o.flags) expect(body).toMatch(new RegExp(`['{,]${f}[\\[,}]`));
        if (o.choices.length > 0) expect(body).toContain(`:value:(${o.choices.join(' ')})'`);
      }
    }
  });

  it.runIf(has('fish'))('fish: the script parses, and completes every command, option and declared choice', async () => {
    const { file } = await script('fish');
    expect(spawnSync('fish', ['-n', file]).status).toBe(0);
    const cases = expectations(pages);
    const driver = [`source ${file}`, ...cases.map((c) => `echo (complete -C ${JSON.stringify(c.line)} | string replace -r '\\t.*' '')`)].join('\n');
    const r = spawnSync('fish', ['-c', driver], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = r.stdout.split('\n');
    cases.forEach((c, i) => {
      const words = got[i]!.split(' ').filter((w) => w !== '');
      expect({ line: c.line, words: words.sort() }).toEqual({ line: c.line, words: [...c.want].sort() });
    });
  });
});
