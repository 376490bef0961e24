import { describe, expect, it } from 'vitest';
import { fixtureCases, fixtureOptions, renderFixture } from '../../src/devtools/fixtures.js';
import { checkTsSdk, renderTsSdk } from '../../src/render/ts/index.js';
import { gatewayModel } from '../../src/render/proto/gatewaymodel.js';

/**
 * Every fixture, OpenAPI and proto (through its REST gateway's derived
 * document), gives an SDK that type-checks with the SDK's own strict options.
 */
describe.each(fixtureCases())('the TypeScript SDK of fixture %s', (caseName) => {
  it('compiles (strict, noUncheckedIndexedAccess)', async () => {
    const o = fixtureOptions(caseName);
    const { result } = await renderFixture(caseName);
    const model = await gatewayModel(result.model, {
      name: o.name,
      module: o.module ?? `example.com/${o.name}`,
      contract: 'contract',
      contractKind: o.proto !== undefined ? 'proto' : 'openapi',
      transports: ['http'],
    });
    const files = renderTsSdk(model, { packageName: `@example/${caseName}-client` });
    expect(checkTsSdk(files)).toEqual([]);
    // One method per operation the SDK's model has.
    const client = files.find((f) => f.path === 'src/client.ts')!.content;
    expect(client.match(/^ {2}async \w+\(/gm)?.length ?? 0).toBe(model.operations.length);
  }, 120_000);
});
