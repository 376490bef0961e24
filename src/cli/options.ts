import { Option } from 'commander';

/** `-y, --yes` on a command that never prompts: accepted, for scripts that pass it everywhere, but not offered in its help. */
export function neverPrompts(): Option {
  return new Option('-y, --yes', 'never prompt (this command never does)').hideHelp();
}

/** Collects a repeatable option's values (`-I a -I b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
