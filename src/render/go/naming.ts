import { words } from '../../model/names.js';

/** Go's keywords: never usable as identifiers. */
const KEYWORDS = new Set([
  'break', 'case', 'chan', 'const', 'continue', 'default', 'defer', 'else', 'fallthrough', 'for', 'func', 'go', 'goto',
  'if', 'import', 'interface', 'map', 'package', 'range', 'return', 'select', 'struct', 'switch', 'type', 'var',
]);

/** Predeclared identifiers that compile when shadowed but confuse readers and linters. */
const PREDECLARED = new Set([
  'any', 'append', 'bool', 'byte', 'cap', 'clear', 'close', 'comparable', 'complex', 'complex64', 'complex128', 'copy',
  'delete', 'error', 'false', 'float32', 'float64', 'imag', 'int', 'int8', 'int16', 'int32', 'int64', 'iota', 'len',
  'make', 'max', 'min', 'new', 'nil', 'panic', 'print', 'println', 'real', 'recover', 'rune', 'string', 'true', 'uint',
  'uint8', 'uint16', 'uint32', 'uint64', 'uintptr',
]);

/** The initialisms Go style writes in one case (from golint's list, plus a few API staples). */
const INITIALISMS = new Set([
  'acl', 'api', 'ascii', 'cpu', 'css', 'dns', 'eof', 'guid', 'html', 'http', 'https', 'id', 'ip', 'json', 'lhs', 'qps',
  'ram', 'rhs', 'rpc', 'sla', 'smtp', 'sql', 'ssh', 'tcp', 'tls', 'ttl', 'udp', 'ui', 'uid', 'uuid', 'uri', 'url',
  'utf8', 'vm', 'xml', 'xmpp', 'xsrf', 'xss', 'sku', 'jwt', 'db', 'os', 'io', 'grpc', 'rest',
]);

function capitalise(word: string): string {
  if (INITIALISMS.has(word)) return word.toUpperCase();
  if (word.endsWith('s') && INITIALISMS.has(word.slice(0, -1))) return `${word.slice(0, -1).toUpperCase()}s`;
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * An exported Go identifier: `created_at` → `CreatedAt`, `user_id` → `UserID`,
 * `2fa-code` → `X2faCode`. Never empty, never a keyword.
 */
export function exportedName(name: string): string {
  let id = exported.get(name);
  if (id === undefined) {
    id = toExported(name);
    exported.set(name, id);
  }
  return id;
}

/** Emitters ask for the same names over and over (on a large contract, many times each); each is worked out once. */
const exported = new Map<string, string>();
const unexported = new Map<string, string>();

function toExported(name: string): string {
  const ws = words(name);
  if (ws.length === 0) return 'X';
  const id = ws.map(capitalise).join('');
  return /^[0-9]/.test(id) ? `X${id}` : id;
}

/**
 * An unexported Go identifier: `CreatedAt` → `createdAt`, `ID` → `id`,
 * `type` → `typ`. Keywords and predeclared names get a suffix.
 */
export function unexportedName(name: string): string {
  let id = unexported.get(name);
  if (id === undefined) {
    id = toUnexported(name);
    unexported.set(name, id);
  }
  return id;
}

function toUnexported(name: string): string {
  const ws = words(name);
  if (ws.length === 0) return 'x';
  const [first, ...rest] = ws;
  let id = first! + rest.map(capitalise).join('');
  if (/^[0-9]/.test(id)) id = `x${id}`;
  return safeIdent(id);
}

/** Makes a lower-case identifier safe to declare: `type` → `typ`, `string` → `stringValue`. */
export function safeIdent(id: string): string {
  if (id === 'type') return 'typ';
  if (KEYWORDS.has(id) || PREDECLARED.has(id)) return `${id}Value`;
  return id;
}

/** A Go package name from a service name: `order-service` → `orderservice`. */
export function packageName(name: string): string {
  const id = words(name).join('');
  return /^[0-9]/.test(id) ? `x${id}` : safeIdent(id);
}

const GOOS = 'aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos';
const GOARCH = '386 amd64 amd64p32 arm arm64 arm64be armbe loong64 mips mips64 mips64le mips64p32 mips64p32le mipsle ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm';
const BUILD_SUFFIXES = new Set(['test', ...GOOS.split(' '), ...GOARCH.split(' ')]);

/**
 * A snake_case file name stem for a Go identifier or contract name. A stem
 * that Go would read as a build constraint or a test file (`api_test`,
 * `user_linux`, `cpu_arm64`) gets an `_op` suffix, so the file always builds.
 */
export function fileStem(name: string): string {
  const stem = words(name).join('_') || 'x';
  const last = stem.split('_').pop()!;
  return stem.includes('_') && BUILD_SUFFIXES.has(last) ? `${stem}_op` : stem;
}

export function isGoKeyword(name: string): boolean {
  return KEYWORDS.has(name);
}

export function isPredeclared(name: string): boolean {
  return PREDECLARED.has(name);
}

/** A Go string literal: a raw string when that is readable, otherwise an interpreted one. */
export function goString(value: string): string {
  return JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** A raw string literal when the text has no backquote, else an interpreted one. */
export function goRawString(value: string): string {
  return value.includes('`') || value.includes('\r') ? goString(value) : `\`${value}\``;
}
