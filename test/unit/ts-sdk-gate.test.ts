import { StructureKind } from 'ts-morph';
import { describe, expect, it, vi } from 'vitest';
import { UserError } from '../../src/errors.js';
import { generateTsSdk, TsSdkError } from '../../src/render/ts/index.js';

// A renderer bug, simulated: models.ts declares a type that names nothing.
vi.mock('../../src/render/ts/models.js', async (original) => ({
  ...(await original<typeof import('../../src/render/ts/models.js')>()),
  modelStatements: () => [{ kind: StructureKind.TypeAlias, name: 'Broken', isExported: true, type: 'Nope' }],
}));

describe('generateTsSdk', () => {
  it('writes nothing that does not compile: it throws the diagnostics instead', () => {
    const model = { name: 'shop', title: 'Shop', version: '1.0.0', types: [], operations: [], resources: [], warnings: [], securitySchemes: [] };
    let thrown: unknown;
    try {
      generateTsSdk(model, { packageName: 'shop' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TsSdkError);
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as TsSdkError).diagnostics).toEqual(["src/models.ts:3: Cannot find name 'Nope'."]);
    expect((thrown as Error).message).toMatch(/the TypeScript SDK does not compile, so svc wrote none of it[^]*\n {2}src\/models\.ts:3: Cannot find name 'Nope'\.$/);
  });
});
