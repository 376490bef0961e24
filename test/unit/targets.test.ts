import { describe, expect, it } from 'vitest';
import { goldenCases, renderFixture } from '../../src/devtools/fixtures.js';
import { matches, undeclared } from '../../src/render/target.js';
import { goClientTarget, goOtherClientTarget, goServiceTarget } from '../../src/render/targets.js';

describe('render targets declare what they write', () => {
  it('matches paths as the tables write them', () => {
    expect(matches('internal/service/*.go', 'internal/service/get_product.go')).toBe(true);
    expect(matches('internal/service/*.go', 'internal/service/x/get_product.go')).toBe(false);
    expect(matches('{go.mod,README.md}', 'README.md')).toBe(true);
    expect(matches('internal/client/*/**', 'internal/client/user/models/user.gen.go')).toBe(true);
    expect(matches('**', 'a/b/c')).toBe(true);
  });

  it('catches a file the table does not declare, or declares with another owner', () => {
    const rules = [{ pattern: 'pkg/client/*.gen.go', when: 'always', owner: 'generated' as const }];
    expect(undeclared(rules, [{ path: 'pkg/client/x.go', content: '', owner: 'user' }])).toEqual(['pkg/client/x.go: no rule declares it']);
    expect(undeclared(rules, [{ path: 'pkg/client/x.gen.go', content: '', owner: 'user' }])).toHaveLength(1);
  });

  // Every golden fixture, OpenAPI and proto: the service target's table tells the truth about every file of the service.
  for (const name of goldenCases()) {
    it(`go-service: ${name}`, async () => {
      const { result } = await renderFixture(name);
      expect(undeclared(goServiceTarget.files, result.plan.changes.map((c) => c.artifact), result.model.rpc ? 'proto' : 'openapi')).toEqual([]);
      if (result.model.rpc) return;
      const settings = { name: result.model.name, module: `example.com/${name}`, contract: 'c.yaml', contractKind: 'openapi' as const };
      const client = goClientTarget.render({ model: result.model, settings });
      expect(client.length).toBeGreaterThan(0);
      expect(undeclared(goClientTarget.files, client)).toEqual([]);
      const other = goOtherClientTarget.render({ client: { name: 'other', model: result.model }, settings });
      expect(undeclared(goOtherClientTarget.files, other)).toEqual([]);
    }, 60_000);
  }
});
