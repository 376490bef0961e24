import type { Command } from 'commander';
import type { FileSystem } from '../fs/types.js';
import { countActions } from '../plan/plan.js';
import { printPlan, type Output } from './report.js';

/** What `svc template` needs of the CLI. */
export interface TemplateCommandContext {
  io: Output;
  cwd: string;
  /** The folder a command works on: `--dir`, else the nearest folder holding svc.yaml from cwd up. */
  where: (given: string | undefined) => string;
  fsFor: (dir: string) => FileSystem;
  setExitCode: (code: number) => void;
}

/** Declares `svc template init` and `svc template diff`. */
export function registerTemplateCommand(program: Command, ctx: TemplateCommandContext): void {
  const template = program
    .command('template')
    .description("a service's own templates: copies of the built-ins it uses that override them (svc template init, svc template diff)")
    .addHelpText('after', ['', 'Examples:', '  svc template init --only "internal/middleware/**"', '  svc template diff'].join('\n'));

  template
    .command('init')
    .description("copy the built-in templates this service uses into .svc/templates/ (or the folder svc.yaml's `templates:` names); each copy overrides its built-in")
    .option('--dir <path>', 'the service folder (default: the current folder)')
    .option('--only <glob>', 'copy only the templates whose name or rendered file matches, e.g. "internal/middleware/**" or "service/Makefile.hbs"')
    .option('--dry-run', 'print what would be copied, write nothing')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  svc template init                                   # every template the service uses',
        '  svc template init --only "internal/middleware/**"   # only the middleware package',
        '  svc template init --only "{Makefile,Dockerfile}"    # the templates of two files',
        '',
        'Edit a copy, then run `svc gen api`. Delete a copy to use the built-in again.',
      ].join('\n'),
    )
    .action(async (opts: { dir?: string; only?: string; dryRun?: boolean }) => {
      const dir = ctx.where(opts.dir);
      const { templateInit } = await import('../pipeline/templates.js');
      const dryRun = opts.dryRun ?? false;
      const result = await templateInit({ dir, fs: ctx.fsFor(dir), dryRun, ...(opts.only !== undefined ? { only: opts.only } : {}) });
      printPlan(result.plan, ctx.io);
      const n = countActions(result.plan);
      const counts = `${n.create} copied, ${n.unchanged} as the built-in, ${n.skip} yours kept`;
      if (dryRun) ctx.io.out(`dry run: ${counts}; nothing written`);
      else {
        ctx.io.out(`${counts}, in ${result.folder}/`);
        if (n.create > 0) ctx.io.out('edit them, then run `svc gen api`; `svc template diff` shows what a newer svc changes in their built-ins');
      }
      ctx.setExitCode(0);
    });

  template
    .command('diff')
    .description('show, for each copied template, what changed in its built-in since it was copied, to port it to your copy')
    .option('--dir <path>', 'the service folder (default: the current folder)')
    .addHelpText('after', ['', 'Examples:', '  svc template diff', '  svc template diff --dir services/product'].join('\n'))
    .action(async (opts: { dir?: string }) => {
      const dir = ctx.where(opts.dir);
      const { templateDiff } = await import('../pipeline/templates.js');
      const result = await templateDiff({ dir, fs: ctx.fsFor(dir) });
      for (const c of result.changes) {
        if (c.gone) {
          ctx.io.out(`${c.path}: svc has no such built-in template any more, so this copy is not used: delete it`);
          continue;
        }
        const from = c.base === 'built-in' ? `the built-in svc ${c.from} copied` : 'your copy (the built-in it was copied from is not kept)';
        ctx.io.out(`${c.path}: the built-in changed since svc ${c.from} copied it; from ${from} to the built-in now:`);
        ctx.io.out(c.patch ?? '');
      }
      for (const path of result.unrecorded) ctx.io.err(`note: ${path}: not copied by svc template init, so there is nothing to compare it with`);
      if (result.changes.length === 0) ctx.io.out(`no built-in changed since its copy in ${result.folder}/ was made`);
      ctx.setExitCode(0);
    });
}
