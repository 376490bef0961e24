import { describe, expect, it } from 'vitest';
import { compareShapes, conflicts } from '../../src/render/proto/gateway.js';

const shape = (p: string) => p.split('/').slice(1).map((s) => (s.startsWith('{') ? (s.endsWith('...}') ? '**' : '*') : s));

describe('compareShapes', () => {
  it('tells which ServeMux path is more specific', () => {
    expect(compareShapes(shape('/v1/a/{x}'), shape('/v1/a/{y}'))).toBe('same');
    expect(compareShapes(shape('/v1/a/b'), shape('/v1/a/{y}'))).toBe('a');
    expect(compareShapes(shape('/v1/{x}/b'), shape('/v1/a/b'))).toBe('b');
    expect(compareShapes(shape('/v1/{x}/b'), shape('/v1/a/{y}'))).toBe('neither');
    expect(compareShapes(shape('/v1/a'), shape('/v1/b'))).toBe('disjoint');
    expect(compareShapes(shape('/v1/a'), shape('/v1/a/b'))).toBe('disjoint');
    expect(compareShapes(shape('/v1/{rest...}'), shape('/v1/a/b'))).toBe('b');
    expect(compareShapes(shape('/v1/a/{x}'), shape('/v1/{rest...}'))).toBe('a');
  });

  it('agrees with conflicts on method-specific routes', () => {
    const paths = ['/v1/a/{x}', '/v1/{x}/b', '/v1/a/b', '/v1/{rest...}', '/v2/a', '/v1/{x}/{y}'];
    for (const a of paths) {
      for (const b of paths) expect(compareShapes(shape(a), shape(b)) === 'neither', `${a} ${b}`).toBe(conflicts(shape(a), shape(b)));
    }
  });
});
