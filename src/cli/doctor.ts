import type { Command } from 'commander';
import type { Toolchain, ToolStatus } from '../tools/protoc.js';
import { withProgress } from './progress.js';
import type { Output } from './report.js';

export interface DoctorContext {
  io: Output;
  /** Where `--install` shows its progress. */
  stderr: NodeJS.WriteStream;
  setExitCode: (code: number) => void;
  /** Environment the tools are searched with (default: process.env). */
  toolEnv?: NodeJS.ProcessEnv;
}

/** Declares `svc doctor [--install]`. */
export function registerDoctorCommand(program: Command, ctx: DoctorContext): void {
  program
    .command('doctor')
    .description('check the tools generation needs (go, protoc, protoc-gen-go, protoc-gen-go-grpc)')
    .option('--install', 'install the protoc plugins at their pinned versions with `go install`')
    .addHelpText('after', ['', 'Examples:', '  svc doctor             # one line per tool; exit 1 when one is missing', '  svc doctor --install   # go install the protoc plugins svc pins'].join('\n'))
    .action(async (opts: { install?: boolean }) => {
      ctx.setExitCode(await runDoctor(opts.install ?? false, ctx));
    });
}

/** Prints one line per tool; 0 when every tool is present, 1 otherwise. */
export async function runDoctor(install: boolean, ctx: DoctorContext): Promise<number> {
  // Loaded on demand, like the pipeline, so `svc --help` stays fast.
  const protoc = await import('../tools/protoc.js');
  const toolOptions = ctx.toolEnv ? { env: ctx.toolEnv } : {};
  let installFailed = false;
  if (install) {
    const result = await withProgress('installing the protoc plugins (go install)', ctx.stderr, () => protoc.installPlugins(toolOptions));
    if (result.ok) {
      for (const p of result.installed) ctx.io.out(`installed ${p.name} ${p.version}`);
    } else {
      ctx.io.err(`error: ${result.message}`);
      installFailed = true;
    }
  }

  const tools = await protoc.findTools(toolOptions);
  for (const line of describeTools(tools, protoc.TOOL_NAMES)) ctx.io.out(line);
  if (ctx.io.json) {
    for (const name of protoc.TOOL_NAMES) {
      const t = tools[name];
      ctx.io.json.tools.push({
        name,
        found: !t.missing,
        ...(t.missing ? {} : { path: t.path, ...(t.version !== undefined ? { version: t.version } : {}) }),
        ...(t.pinned !== undefined ? { pinned: t.pinned } : {}),
        install: t.install,
      });
    }
  }

  const missing = protoc.TOOL_NAMES.filter((n) => tools[n].missing);
  const mismatched = protoc.TOOL_NAMES.filter((n) => tools[n].versionMismatch);
  if (install && tools.protoc.missing) {
    ctx.io.err(`note: svc cannot install protoc; as root run: ${protoc.PROTOC_INSTALL_COMMAND}`);
  }
  if (missing.length > 0) {
    ctx.io.out(`${missing.length} tool(s) missing: ${missing.join(', ')}`);
    return 1;
  }
  if (mismatched.length > 0) {
    ctx.io.out(`all tools present; ${mismatched.join(', ')} not at the pinned version (run \`svc doctor --install\`)`);
  } else {
    ctx.io.out('all tools present');
  }
  return installFailed ? 1 : 0;
}

/** `name  path  version`, or `name  missing: <install hint>`; a plugin off its pin is flagged. */
export function describeTools(tools: Toolchain, order: readonly (keyof Toolchain)[]): string[] {
  const width = Math.max(...order.map((n) => n.length)) + 2;
  return order.map((name) => describeTool(tools[name], width));
}

function describeTool(tool: ToolStatus, width: number): string {
  const label = tool.name.padEnd(width);
  if (tool.missing) return `${label}missing: ${tool.install}`;
  let line = `${label}${tool.path}  ${tool.version ?? '(version unknown)'}`;
  if (tool.versionMismatch) line += `  (warning: pinned ${tool.pinned}; ${tool.install})`;
  return line;
}
