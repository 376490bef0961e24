import type { Artifact, Owner } from './artifact.js';

/**
 * The common shape of a render target: a function from its input (a model
 * and settings) to files, and the declared table of what it writes, when,
 * and who owns each file (ogen's table of what is written). A new target is
 * one more folder under `src/render/` exporting one of these; tests check
 * that every file a target renders is one its table declares, with the
 * owner it declares.
 */
export interface Target<Input> {
  /** `go-service`, `go-client`, `ts-sdk`... */
  name: string;
  /** What it is for, in one line. */
  summary: string;
  /** Where its paths are relative to: the service root, or the folder it is written to. */
  root: 'service' | 'out';
  /** What it writes; the first rule that matches a path decides its owner. */
  files: readonly FileRule[];
  render(input: Input): Artifact[];
}

/** One line of a target's table. */
export interface FileRule {
  /**
   * The paths, relative to the target's root: `*` stands for any part of
   * one path segment, `**` for any number of segments, `{a,b}` for either.
   */
  pattern: string;
  /** When the target writes such a file. */
  when: string;
  /** Who owns it: `generated` (rewritten on every run) or `user` (written once). */
  owner: Owner;
  /** The rule holds only for a service of this contract kind. */
  contract?: 'openapi' | 'proto';
}

const compiled = new Map<string, RegExp>();

/** Whether a path matches a rule's pattern. */
export function matches(pattern: string, path: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    let src = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '*' && pattern[i + 1] === '*') {
        src += '.*';
        i++;
        if (pattern[i + 1] === '/') i++;
      } else if (c === '*') src += '[^/]*';
      else if (c === '{') src += '(?:';
      else if (c === '}') src += ')';
      else if (c === ',') src += '|';
      else src += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`);
    compiled.set(pattern, re);
  }
  return re.test(path);
}

/** The rule of a target's table a path falls under, if any. */
export function ruleOf(files: readonly FileRule[], path: string, contract?: 'openapi' | 'proto'): FileRule | undefined {
  return files.find((r) => (!r.contract || r.contract === contract) && matches(r.pattern, path));
}

/**
 * What is wrong between a target's table and the files it rendered: a file
 * no rule declares, or one whose owner differs from its rule's. Empty when
 * the table tells the truth.
 */
export function undeclared(files: readonly FileRule[], artifacts: readonly Artifact[], contract?: 'openapi' | 'proto'): string[] {
  const out: string[] = [];
  for (const a of artifacts) {
    const rule = ruleOf(files, a.path, contract);
    if (!rule) out.push(`${a.path}: no rule declares it`);
    else if (rule.owner !== a.owner) out.push(`${a.path}: owned by the ${a.owner === 'user' ? 'user' : 'generator'}, but ${rule.pattern} says ${rule.owner}`);
  }
  return out;
}
