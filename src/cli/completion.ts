import { Argument, type Command, type Option } from 'commander';
import type { Output } from './report.js';

// `svc completion bash|zsh|fish`: a completion script generated from the
// commander tree at run time (commands, subcommands, options, the choices an
// option or argument declares), so it lists what this svc accepts and never
// goes stale.

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export interface CompletionContext {
  io: Output;
}

/** Declares `svc completion <shell>`; the script covers every command registered on `program`. */
export function registerCompletionCommand(program: Command, ctx: CompletionContext): void {
  program
    .command('completion')
    .description('print a shell completion script for svc (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices([...SHELLS]))
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  svc completion bash > ~/.local/share/bash-completion/completions/svc   # or: source <(svc completion bash) in ~/.bashrc',
        '  svc completion zsh > "${fpath[1]}/_svc"                                # then restart zsh (compinit)',
        '  svc completion fish > ~/.config/fish/completions/svc.fish',
      ].join('\n'),
    )
    .action((shell: Shell) => {
      ctx.io.out(completionScript(program, shell));
    });
}

/** What a completion needs to know of one option. */
export interface OptionSpec {
  short?: string;
  long?: string;
  description: string;
  /** none: a flag; required/optional: takes a value (in the next word). */
  value: 'none' | 'required' | 'optional';
  /** What the value is: one of `choices`, a file, a folder, or anything (no completion). */
  kind: 'choices' | 'file' | 'dir' | 'any';
  choices: string[];
}

/** One command of the tree: its path from the root (empty for the root itself). */
export interface CommandSpec {
  path: string[];
  name: string;
  description: string;
  commands: CommandSpec[];
  options: OptionSpec[];
  /** Positional arguments, in order; `choices` empty when any value goes. */
  args: { name: string; required: boolean; choices: string[] }[];
}

/** The tree of visible commands and options, as `svc --help` shows them. */
export function commandTree(cmd: Command, path: string[] = []): CommandSpec {
  const help = cmd.createHelp();
  const visible = help.visibleCommands(cmd);
  const siblings = cmd.commands.filter((c) => visible.includes(c)).map((c) => c.name());
  const commands = visible.map((sub) => {
    const spec = commandTree(sub, [...path, sub.name()]);
    // commander's implicit `help [command]` takes the name of a sibling command.
    if (!cmd.commands.includes(sub)) spec.args = [{ name: 'command', required: false, choices: siblings }];
    return spec;
  });
  return {
    path,
    name: cmd.name(),
    description: oneLine(cmd.description()),
    commands,
    options: help.visibleOptions(cmd).map(optionSpec),
    args: cmd.registeredArguments.map((a) => ({ name: a.name(), required: a.required, choices: [...(a.argChoices ?? [])] })),
  };
}

function optionSpec(o: Option): OptionSpec {
  const spec: OptionSpec = {
    description: oneLine(o.description),
    value: o.required ? 'required' : o.optional ? 'optional' : 'none',
    kind: 'any',
    choices: [...(o.argChoices ?? [])],
  };
  if (o.short) spec.short = o.short;
  if (o.long) spec.long = o.long;
  const valueName = /[<[]([\w-]+)(?:\.\.\.)?[>\]]/.exec(o.flags)?.[1] ?? '';
  if (spec.choices.length > 0) spec.kind = 'choices';
  else if (valueName === 'file') spec.kind = 'file';
  // `--dir <path>` is a folder; `--module <path>` a Go module path, not a file.
  else if (valueName === 'dir' || o.long === '--dir') spec.kind = 'dir';
  return spec;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The completion script for `shell` of every command under `program`. */
export function completionScript(program: Command, shell: Shell): string {
  const tree = commandTree(program);
  if (shell === 'bash') return bashScript(tree);
  if (shell === 'zsh') return zshScript(tree);
  return fishScript(tree);
}

/** Every command of the tree, the root first, parents before children. */
function walk(node: CommandSpec): CommandSpec[] {
  return [node, ...node.commands.flatMap(walk)];
}

function flags(o: OptionSpec): string[] {
  return [o.short, o.long].filter((f): f is string => f !== undefined);
}

/** A word for a POSIX shell, single-quoted. */
function sq(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The `case` key of a command and a word: `gen client|--lang`. */
function key(node: CommandSpec, word: string): string {
  return sq(`${node.path.join(' ')}|${word}`);
}

function bashScript(tree: CommandSpec): string {
  const name = tree.name;
  const fn = `_${name.replace(/\W/g, '_')}_completion`;
  const nodes = walk(tree);
  const descend = nodes.flatMap((n) => n.commands.map((c) => key(n, c.name)));
  const valued = nodes.flatMap((n) => n.options.filter((o) => o.value === 'required').flatMap((o) => flags(o).map((f) => key(n, f))));
  const values: string[] = [];
  for (const n of nodes) {
    for (const o of n.options.filter((o) => o.value !== 'none')) {
      const pattern = flags(o).map((f) => key(n, f)).join('|');
      let set = 'valued=1';
      if (o.kind === 'choices') set += ` words=${sq(o.choices.join(' '))}`;
      else if (o.kind === 'file' || o.kind === 'dir') set += ` kind=${o.kind}`;
      // An optional value: a word starting with - is the next option instead.
      if (o.value === 'optional') set = `[[ "$cur" == -* ]] || { ${set}; }`;
      values.push(`  ${pattern}) ${set} ;;`);
    }
  }
  const wordsOf = (n: CommandSpec, words: string[]) => (words.length > 0 ? [`      ${sq(n.path.join(' '))}) words=${sq(words.join(' '))} ;;`] : []);
  const optionWords = nodes.flatMap((n) => wordsOf(n, n.options.flatMap(flags)));
  const commandWords = nodes.flatMap((n) => wordsOf(n, [...n.commands.map((c) => c.name), ...(n.args[0]?.choices ?? [])]));
  return `# bash completion for ${name}, generated by \`${name} completion bash\` from its commands.
# Install: ${name} completion bash > ~/.local/share/bash-completion/completions/${name}
#      or: source <(${name} completion bash)    (in ~/.bashrc)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local path="" word i skip=0 words="" kind="" valued=0
  # The command being completed: the subcommands named so far, skipping option values.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then
      skip=0
      continue
    fi
    case "$path|$word" in
    ${descend.join('|\\\n    ') || "'-'"}) path="\${path:+$path }$word" ;;
    ${valued.join('|\\\n    ') || "'-'"}) skip=1 ;;
    esac
  done
  # The value of the option before the cursor: its choices, a file, a folder, or anything.
  case "$path|$prev" in
${values.join('\n')}
  esac
  if ((!valued)); then
    if [[ "$cur" == -* ]]; then
      case "$path" in
${optionWords.join('\n')}
      esac
    else
      case "$path" in
${commandWords.join('\n')}
      esac
    fi
  fi
  # One match a line, so names with spaces stay whole (bash 3.2 has no mapfile).
  local IFS=$'\\n'
  case "$kind" in
  dir)
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -d -- "$cur"))
    ;;
  file)
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
    ;;
  *) COMPREPLY=($(IFS=' ' compgen -W "$words" -- "$cur")) ;;
  esac
  return 0
}
complete -F ${fn} ${name}
`;
}

/** Text inside an `_arguments` option description: brackets and colons escaped. */
function zshDescription(text: string): string {
  return text.replace(/([\\[\]:])/g, '\\$1');
}

function zshAction(kind: OptionSpec['kind'], choices: string[]): string {
  if (kind === 'choices') return `(${choices.join(' ')})`;
  if (kind === 'file') return '_files';
  if (kind === 'dir') return '_files -/';
  return ' ';
}

function zshOption(o: OptionSpec): string {
  const desc = `[${zshDescription(o.description)}]`;
  const arg = o.value === 'none' ? '' : `${o.value === 'optional' ? '::' : ':'}value:${zshAction(o.kind, o.choices)}`;
  const names = flags(o);
  if (names.length === 1) return sq(`${names[0]}${desc}${arg}`);
  return `${sq(`(${names.join(' ')})`)}{${names.join(',')}}${sq(`${desc}${arg}`)}`;
}

function zshFunction(node: CommandSpec, root: string): string {
  const fn = ['_' + root, ...node.path].join('_').replace(/-/g, '_');
  const specs = node.options.map(zshOption);
  if (node.commands.length === 0) {
    for (const a of node.args) {
      const action = a.choices.length > 0 ? `(${a.choices.join(' ')})` : ' ';
      specs.push(sq(`${a.required ? ':' : '::'}${a.name}:${action}`));
    }
    return `${fn}() {\n  _arguments -s \\\n    ${specs.join(' \\\n    ')}\n}\n`;
  }
  const entries = node.commands.map((c) => `    ${sq(`${c.name}:${c.description}`)}`);
  const cases = node.commands.map((c) => `    ${c.name}) ${fn}_${c.name.replace(/-/g, '_')} ;;`);
  return `${fn}() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  _arguments -C \\
    ${[...specs, "'1: :->command'", "'*:: :->argument'"].join(' \\\n    ')}
  case $state in
  command)
    local -a commands
    commands=(
${entries.map((e) => `  ${e}`).join('\n')}
    )
    _describe -t commands ${sq(`${[root, ...node.path].join(' ')} command`)} commands
    ;;
  argument)
    curcontext="\${curcontext%:*:*}:${[root, ...node.path].join('-')}-$words[1]:"
    case $words[1] in
${cases.map((c) => `  ${c}`).join('\n')}
    esac
    ;;
  esac
}
`;
}

function zshScript(tree: CommandSpec): string {
  const name = tree.name;
  return `#compdef ${name}
# zsh completion for ${name}, generated by \`${name} completion zsh\` from its commands.
# Install: ${name} completion zsh > "\${fpath[1]}/_${name}"   (then start a new zsh)
#      or: source <(${name} completion zsh)           (in ~/.zshrc, after compinit)

${walk(tree)
  .map((n) => zshFunction(n, name))
  .join('\n')}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _${name} "$@"
else
  compdef _${name} ${name}
fi
`;
}

/** A word for fish, single-quoted (fish escapes only \\ and ' inside). */
function fq(text: string): string {
  return `'${text.replace(/([\\'])/g, '\\$1')}'`;
}

function fishScript(tree: CommandSpec): string {
  const name = tree.name;
  const fn = `__${name.replace(/\W/g, '_')}`;
  const nodes = walk(tree);
  const descend = nodes.flatMap((n) => n.commands.map((c) => fq(`${n.path.join(' ')}|${c.name}`)));
  const valued = nodes.flatMap((n) => n.options.filter((o) => o.value === 'required').flatMap((o) => flags(o).map((f) => fq(`${n.path.join(' ')}|${f}`))));
  const lines: string[] = [];
  for (const n of nodes) {
    const at = `-n ${fq(`${fn}_at ${fq(n.path.join(' '))}`)}`;
    for (const c of n.commands) lines.push(`complete -c ${name} ${at} -a ${fq(c.name)} -d ${fq(c.description)}`);
    const choices = n.args[0]?.choices ?? [];
    if (choices.length > 0) lines.push(`complete -c ${name} ${at} -a ${fq(choices.join(' '))}`);
    for (const o of n.options) {
      const parts = [`complete -c ${name}`, at];
      if (o.short) parts.push(`-s ${o.short.slice(1)}`);
      if (o.long) parts.push(`-l ${o.long.slice(2)}`);
      if (o.value !== 'none') {
        if (o.kind === 'choices') parts.push(`-x -a ${fq(o.choices.join(' '))}`);
        else if (o.kind === 'file') parts.push('-r -F');
        else if (o.kind === 'dir') parts.push(`-x -a ${fq('(__fish_complete_directories)')}`);
        else parts.push('-x');
      }
      parts.push(`-d ${fq(o.description)}`);
      lines.push(parts.join(' '));
    }
  }
  return `# fish completion for ${name}, generated by \`${name} completion fish\` from its commands.
# Install: ${name} completion fish > ~/.config/fish/completions/${name}.fish

# The command being completed: the subcommands named so far, skipping option values.
function ${fn}_path
    set -l path ''
    set -l skip 0
    for word in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch "$path|$word"
            case ${descend.join(' ') || "'-'"}
                set path (string trim -- "$path $word")
            case ${valued.join(' ') || "'-'"}
                set skip 1
        end
    end
    echo $path
end

function ${fn}_at
    set -l path (${fn}_path)
    test "$path" = "$argv[1]"
end

complete -c ${name} -f
${lines.join('\n')}
`;
}
