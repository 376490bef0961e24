import { posix } from 'node:path';
import type { FileSystem } from '../fs/types.js';
import type { OperationFacts } from '../render/artifact.js';
import { isGeneratedContent } from '../render/artifact.js';

/**
 * What the planner reads of a user's Go file, given a renderer's facts about
 * an operation: where the file declares the operation's method, and the file
 * with the operation's identifiers renamed. It never parses what svc renders.
 */

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The 1-based line of `text` that declares the method of `facts` (`func (s *Service) Name(`), or 0. */
export function declarationLine(text: string, facts: Pick<OperationFacts, 'method' | 'receiver'>): number {
  const decl = new RegExp(`^func\\s*\\(\\s*(?:\\w+\\s+)?\\*?\\s*${escape(facts.receiver)}\\s*\\)\\s*${escape(facts.method)}\\s*[(\\[]`);
  return text.split('\n').findIndex((l) => decl.test(l)) + 1;
}

/** Whether `text` mentions the Go identifier `name` (a whole word, in code or comments). */
export function mentions(text: string, name: string): boolean {
  return new RegExp(`\\b${escape(name)}\\b`).test(text);
}

/**
 * The identifiers a rename from `from` to `to` changes: the method, and each
 * derived identifier to its counterpart (the one with the same suffix after
 * the method's name, else the one at the same position).
 */
export function renamesOf(from: OperationFacts, to: OperationFacts): Map<string, string> {
  const out = new Map<string, string>();
  if (from.method !== to.method) out.set(from.method, to.method);
  from.derived.forEach((name, i) => {
    const bySuffix = name.startsWith(from.method) ? `${to.method}${name.slice(from.method.length)}` : undefined;
    const next = bySuffix !== undefined && to.derived.includes(bySuffix) ? bySuffix : from.derived.length === to.derived.length ? to.derived[i] : undefined;
    if (next !== undefined && next !== name) out.set(name, next);
  });
  return out;
}

/** The user's file of a renamed operation with every identifier of the rename changed, the rest kept. */
export function carriedContent(text: string, from: OperationFacts, to: OperationFacts): string {
  const renames = renamesOf(from, to);
  if (renames.size === 0) return text;
  const names = [...renames.keys()].sort((a, b) => b.length - a.length).map(escape);
  return text.replace(new RegExp(`\\b(?:${names.join('|')})\\b`, 'g'), (m) => renames.get(m)!);
}

/**
 * The user's Go files of a folder, read once, to find which one already
 * declares an operation's method (the user moved it into a file of their own).
 */
export class MethodIndex {
  private readonly folders = new Map<string, Promise<{ path: string; content: string }[]>>();

  constructor(private readonly fs: FileSystem) {}

  /** The user's file in `dir` (other than `except`) that declares the method of `facts`. */
  async declaring(dir: string, facts: OperationFacts, except: string): Promise<{ path: string; content: string } | undefined> {
    let files = this.folders.get(dir);
    if (!files) {
      files = this.read(dir);
      this.folders.set(dir, files);
    }
    return (await files).find((f) => f.path !== except && declarationLine(f.content, facts) > 0);
  }

  private async read(dir: string): Promise<{ path: string; content: string }[]> {
    const out: { path: string; content: string }[] = [];
    for (const name of await this.fs.list(dir)) {
      if (!name.endsWith('.go') || name.endsWith('_test.go')) continue;
      const path = posix.join(dir, name);
      const content = await this.fs.read(path);
      if (content !== undefined && !isGeneratedContent(content)) out.push({ path, content });
    }
    return out;
  }
}
