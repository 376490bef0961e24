import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTH_RUNTIME_API, renderAuthRuntime } from '../../src/render/go/authruntime.js';

const AUTH_TEMPLATES = join(__dirname, '../../templates/service/internal/auth');

/** The exported top-level identifiers of the auth runtime's templates, by kind, as gofmt lays declarations out. */
function exportedOfTemplates(): { types: string[]; consts: string[]; vars: string[]; funcs: string[]; grpcFuncs: string[] } {
  const out = { types: [] as string[], consts: [] as string[], vars: [] as string[], funcs: [] as string[], grpcFuncs: [] as string[] };
  for (const file of readdirSync(AUTH_TEMPLATES).filter((f) => f.endsWith('.go.hbs') && !f.endsWith('_test.go.hbs'))) {
    const text = readFileSync(join(AUTH_TEMPLATES, file), 'utf8');
    const grpcOnly = text.startsWith('{{#if grpc}}');
    let block: 'consts' | 'vars' | undefined;
    for (const line of text.split('\n')) {
      if (block) {
        if (line.startsWith(')')) block = undefined;
        else if (/^\t[A-Z]\w*\b/.test(line)) out[block].push(line.trim().split(/[\s=]/)[0]!);
        continue;
      }
      const group = /^(const|var) \($/.exec(line);
      if (group) {
        block = group[1] === 'const' ? 'consts' : 'vars';
        continue;
      }
      const decl = /^(type|var|const) ([A-Z]\w*)\b/.exec(line);
      if (decl) out[decl[1] === 'type' ? 'types' : decl[1] === 'const' ? 'consts' : 'vars'].push(decl[2]!);
      const fn = /^func ([A-Z]\w*)\(/.exec(line);
      if (fn) out[grpcOnly ? 'grpcFuncs' : 'funcs'].push(fn[1]!);
    }
  }
  for (const k of Object.keys(out) as (keyof typeof out)[]) out[k].sort();
  return out;
}

describe('the auth runtime re-exported by a platform service', () => {
  it('lists exactly the exported API of the runtime templates', () => {
    const api = Object.fromEntries(Object.entries(AUTH_RUNTIME_API).map(([k, v]) => [k, [...v].sort()]));
    expect(api).toEqual(exportedOfTemplates());
  });

  it('is written only when the runtime is shared', () => {
    expect(renderAuthRuntime({ module: 'example.com/product' }, true)).toEqual([]);
    const [file] = renderAuthRuntime({ module: 'example.com/shop/services/product', platformModule: 'example.com/shop' }, true);
    expect(file!.path).toBe('internal/auth/runtime.gen.go');
    expect(file!.content).toContain('authrt "example.com/shop/shared/pkg/auth"');
    expect(file!.content).toMatch(/\tGuard += authrt\.Guard\n/);
    expect(file!.content).toMatch(/\tMetadataCredentials += authrt\.MetadataCredentials\n/);
    const [http] = renderAuthRuntime({ module: 'example.com/shop/services/product', platformModule: 'example.com/shop' }, false);
    expect(http!.content).not.toContain('MetadataCredentials');
  });
});
