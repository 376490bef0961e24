import { createRequire } from 'node:module';
import type * as Diff from 'diff';

/** The diff library, loaded with the first patch made: most runs make none (its ~20 modules cost start-up). */
let diffLib: typeof Diff | undefined;

/** A unified diff of two texts: the diff library's `createTwoFilesPatch`, loaded on first use. */
export function createTwoFilesPatch(...args: Parameters<typeof Diff.createTwoFilesPatch>): string {
  diffLib ??= createRequire(import.meta.url)('diff') as typeof Diff;
  return diffLib.createTwoFilesPatch(...args);
}
