/**
 * The TypeScript SDK target: an npm package with a typed, fetch-based client
 * of the service, rendered from the same model as the Go service and built
 * with ts-morph structures (never text templates), then type-checked in
 * process before anything is written.
 *
 * What it writes (paths relative to the SDK folder). The TypeScript files
 * carry the generated-code marker and are the generator's: rewritten on every
 * run, a hand edit is a conflict. package.json, tsconfig.json and README.md
 * cannot carry the marker (JSON has no comments): they are owned as the
 * planner owns any file without it, by the user once edited — svc rewrites
 * them while they are as it wrote them (the manifest's hash) and never
 * overwrites an edit (a renamed package, an added script).
 *
 *
 * | file            | what                                                             |
 * |-----------------|------------------------------------------------------------------|
 * | package.json    | ESM package, `types`/`exports`, no runtime dependencies, `tsc`   |
 * | tsconfig.json   | strict, noUncheckedIndexedAccess, ES2022 + DOM, NodeNext          |
 * | README.md       | usage                                                            |
 * | src/index.ts    | re-exports the three modules below                               |
 * | src/models.ts   | a type per schema of the contract                                |
 * | src/client.ts   | `Client`: a method per operation, with its params/response types |
 * | src/runtime.ts  | fetch, auth and headers hooks, timeout, retries, ProblemError    |
 */
import { IndentationText, NewLineKind, Project, QuoteKind, StructureKind, ts, type StatementStructures } from 'ts-morph';
import { UserError } from '../../errors.js';
import type { ServiceModel } from '../../model/types.js';
import { artifact, GO_GENERATED_HEADER, type Artifact } from '../artifact.js';
import { clientStatements } from './client.js';
import { modelStatements } from './models.js';
import { TsNames } from './names.js';
import { packageJson, readme, SDK_COMPILER_OPTIONS, tsconfigJson, type TsSdkOptions } from './package.js';
import { runtimeStatements } from './runtime.js';

export type { TsSdkOptions } from './package.js';
import type { Target } from '../target.js';

/** The first line of every generated TypeScript file (the same marker as Go's). */
export const TS_GENERATED_HEADER = GO_GENERATED_HEADER;

/** The files of the SDK, in the order they are produced. */
export const TS_SDK_FILES = ['package.json', 'README.md', 'src/client.ts', 'src/index.ts', 'src/models.ts', 'src/runtime.ts', 'tsconfig.json'] as const;

/**
 * The TypeScript SDK as a render target (src/render/target.ts): what it
 * writes and who owns each file. Its sources are the generator's; the package
 * manifest, tsconfig and README carry no marker, so they are the user's:
 * rewritten while untouched, kept once edited.
 */
export const TS_SDK_TARGET: Target<{ model: ServiceModel; opts: TsSdkOptions }> = {
  name: 'ts-sdk',
  summary: 'a TypeScript npm package for a contract (svc gen client --lang ts [--out DIR]; never by svc new or svc gen api)',
  root: 'out',
  files: [
    { pattern: 'src/*.ts', when: 'always: models, the client, the fetch runtime and the index, type-checked before they are written', owner: 'generated' },
    { pattern: '{package.json,tsconfig.json,README.md}', when: 'always, kept once edited', owner: 'user' },
  ],
  render: (i) => generateTsSdk(i.model, i.opts),
};

/** Renders the SDK's files from the model, sorted by path. It does not type-check them: see generateTsSdk. */
export function renderTsSdk(model: ServiceModel, opts: TsSdkOptions): Artifact[] {
  // The proto model's names and paths are the proto's, not what its gateway speaks: it would compile and be wrong.
  if (model.rpc) throw new Error(`internal error: the TypeScript SDK of proto service ${model.name} is rendered from its gateway's model: pass it through gatewayModel first`);
  const names = new TsNames(model);
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single, newLineKind: NewLineKind.LineFeed, useTrailingCommas: true },
  });
  const source = (path: string, statements: StatementStructures[]): Artifact => {
    // A module with no declarations is still a module (client.ts imports it as one).
    const body = statements.length > 0 ? statements.map(spaced) : [{ kind: StructureKind.ExportDeclaration } as StatementStructures];
    const file = project.createSourceFile(`/sdk/${path}`, { statements: [TS_GENERATED_HEADER, ...body] }, { overwrite: true });
    // The TypeScript formatter settles the indentation of nested type literals the structure printer leaves hanging.
    file.formatText({ indentSize: 2, tabSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true });
    return artifact(path, file.getFullText());
  };
  const files = [
    artifact('package.json', packageJson(model, opts)),
    artifact('tsconfig.json', tsconfigJson()),
    artifact('README.md', readme(names, opts)),
    source('src/models.ts', modelStatements(names)),
    source('src/runtime.ts', runtimeStatements()),
    source('src/client.ts', clientStatements(names)),
    source('src/index.ts', [
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './client.js' },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './models.js' },
      { kind: StructureKind.ExportDeclaration, moduleSpecifier: './runtime.js' },
    ]),
  ];
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** A declaration with a blank line before it (the printer puts none between type aliases). */
function spaced(s: StatementStructures): StatementStructures {
  if (s.kind !== StructureKind.TypeAlias && s.kind !== StructureKind.VariableStatement) return s;
  return { ...s, leadingTrivia: (w) => w.blankLineIfLastNot() };
}

/**
 * Type-checks the SDK's TypeScript files in memory with its own compiler
 * options (strict, noUncheckedIndexedAccess, ES2022 + DOM). Returns the
 * diagnostics as `path:line: message`, paths relative to the SDK folder;
 * empty when it compiles.
 */
export function checkTsSdk(files: Artifact[]): string[] {
  const { project, error } = checker();
  if (error !== undefined) return [error];
  // Each check in a folder of its own, removed after: the project (and the
  // parsed lib files, the expensive part) is kept for the next check.
  const root = `/sdk${++checks}`;
  const fs = project.getFileSystem();
  // NodeNext reads package.json's "type" to treat the files as ES modules.
  fs.writeFileSync(`${root}/package.json`, files.find((f) => f.path === 'package.json')?.content ?? '{"type":"module"}');
  const sources = files.filter((f) => f.path.endsWith('.ts')).map((f) => project.createSourceFile(`${root}/${f.path}`, f.content, { overwrite: true }));
  try {
    return project.getPreEmitDiagnostics().map((d) => {
      const file = d.getSourceFile()?.getFilePath();
      const where = file === undefined ? 'sdk' : `${file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file}:${d.getLineNumber() ?? 1}`;
      return `${where}: ${ts.flattenDiagnosticMessageText(d.compilerObject.messageText, ' ')}`;
    });
  } finally {
    for (const s of sources) project.removeSourceFile(s);
    fs.deleteSync(root);
  }
}

let checks = 0;
let shared: { project: Project; error?: string } | undefined;

/** The in-memory project SDKs are checked in, with the SDK's own compiler options. */
function checker(): { project: Project; error?: string } {
  if (shared) return shared;
  const { options, errors } = ts.convertCompilerOptionsFromJson({ ...SDK_COMPILER_OPTIONS, rootDir: undefined, noEmit: true, declaration: false, sourceMap: false }, '/');
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: options });
  shared = errors.length > 0 ? { project, error: `tsconfig.json: ${ts.flattenDiagnosticMessageText(errors[0]!.messageText, ' ')}` } : { project };
  return shared;
}

/** The SDK does not compile: svc writes none of it. */
export class TsSdkError extends UserError {
  constructor(readonly diagnostics: string[]) {
    const shown = diagnostics.slice(0, 20);
    const more = diagnostics.length > shown.length ? [`… and ${diagnostics.length - shown.length} more`] : [];
    super(`the TypeScript SDK does not compile, so svc wrote none of it (please report this as a bug of svc):\n${[...shown, ...more].map((d) => `  ${d}`).join('\n')}`);
    this.name = 'TsSdkError';
  }
}

/** Renders the SDK and type-checks it; throws TsSdkError listing the diagnostics when it does not compile. */
export function generateTsSdk(model: ServiceModel, opts: TsSdkOptions): Artifact[] {
  const files = renderTsSdk(model, opts);
  const diagnostics = checkTsSdk(files);
  if (diagnostics.length > 0) throw new TsSdkError(diagnostics);
  return files;
}
