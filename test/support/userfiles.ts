import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GO_ENV } from './go.js';

/**
 * The edits a service's owner makes by hand in the contract-evolution tests:
 * each as a person would make it (and then format the file, as an editor does
 * on save), failing loudly when the file no longer has the shape the edit
 * needs, so the test says what to adapt.
 */

export function read(dir: string, path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}

export function write(dir: string, path: string, text: string): void {
  writeFileSync(join(dir, path), text);
}

/** gofmt -w on one file: what an editor does on save. */
export function gofmtFile(dir: string, path: string): void {
  execFileSync('gofmt', ['-w', path], { cwd: dir, env: GO_ENV });
}

/**
 * Adds a dependency to the user-owned composition root
 * (internal/service/service.go): a field of Service, set where New builds it.
 */
export function addDependency(dir: string, field: string, type: string, init: string): void {
  const path = 'internal/service/service.go';
  let text = read(dir, path);
  const struct = text.indexOf('type Service struct {\n');
  if (struct < 0) throw new Error(`${path}: no "type Service struct {": adapt the test to the composition root:\n${text}`);
  text = `${text.slice(0, struct)}type Service struct {\n\t${field} ${type}\n${text.slice(struct + 'type Service struct {\n'.length)}`;
  const ctor = text.indexOf('func New(');
  const literal = text.indexOf('&Service{', ctor);
  if (ctor < 0 || literal < 0) throw new Error(`${path}: no New building &Service{...}: adapt the test to the composition root:\n${text}`);
  const at = literal + '&Service{'.length;
  const multiline = text[at] === '\n';
  text = `${text.slice(0, at)}${multiline ? `\n${field}: ${init},` : `${field}: ${init}, `}${text.slice(at)}`;
  write(dir, path, text);
  gofmtFile(dir, path);
}

/**
 * Adds a line before the stub's call that stores the new item
 * (`s.repos.<Coll>.Create(ctx, <var>)`, or `s.Repos...`): `line` with `$v` for that variable.
 */
export function addLineBeforeCreate(dir: string, path: string, collection: string, line: string): void {
  const text = read(dir, path);
  const re = new RegExp(`^(\\t+)(.*)s\\.[Rr]epos\\.${collection}\\.Create\\(ctx, (\\w+)\\)`, 'm');
  const m = re.exec(text);
  if (!m) throw new Error(`${path}: no call of s.[Rr]epos.${collection}.Create(ctx, x) to add a line before: adapt the test to the stub:\n${text}`);
  const added = `${m[1]}${line.replace(/\$v/g, m[3]!)}\n`;
  write(dir, path, text.slice(0, m.index) + added + text.slice(m.index));
}

/**
 * Replaces a stub's body by hand-written code: keeps the stub's signature
 * line (`func (s *X) Method(...) (...) {`) as svc wrote it, and writes the
 * file with the given imports.
 */
export function implementStub(dir: string, path: string, method: string, imports: string[], doc: string, body: string): string {
  if (!existsSync(join(dir, path))) throw new Error(`${path}: no stub for ${method}`);
  const stub = read(dir, path);
  const sig = new RegExp(`^func \\(\\w+ \\*\\w+\\) ${method}\\(.*\\{$`, 'm').exec(stub);
  if (!sig) throw new Error(`${path}: no func ${method}(...) in the stub:\n${stub}`);
  const text = `package service\n\nimport (\n${imports.map((i) => (i === '' ? '' : `\t"${i}"`)).join('\n')}\n)\n\n${doc}\n${sig[0]}\n${body}\n}\n`;
  write(dir, path, text);
  gofmtFile(dir, path);
  return text;
}

/**
 * What became of the owner's code: a problem for each file that is gone, no
 * longer equals `equals`, or lost a `contains` text.
 */
export function lostCode(dir: string, expectations: { path: string; equals?: string; contains?: string[] }[]): string[] {
  const problems: string[] = [];
  for (const { path, equals, contains = [] } of expectations) {
    if (!existsSync(join(dir, path))) {
      problems.push(`${path}: gone`);
      continue;
    }
    const text = read(dir, path);
    if (equals !== undefined && text !== equals) problems.push(`${path}: changed`);
    for (const what of contains) if (!text.includes(what)) problems.push(`${path}: lost ${JSON.stringify(what)}`);
  }
  return problems;
}
