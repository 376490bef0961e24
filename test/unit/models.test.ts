import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import { GoModel } from '../../src/render/go/gomodel.js';
import { renderModels } from '../../src/render/go/models.js';

const CONTRACT = `openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    CreatedAt: {type: string, format: date-time}
    Code: {type: string, minLength: 2}
`;

async function models(): Promise<Map<string, string>> {
  const model = buildModel(await loadContract('/virtual/t.yaml', 'openapi', CONTRACT, 't.yaml'), 't');
  const gm = new GoModel(model, { name: 't', module: 'example.com/t', contract: 't.yaml', contractKind: 'openapi' });
  return new Map(renderModels(gm).map((a) => [a.path, a.content]));
}

describe('named scalar types', () => {
  it('makes a named date-time an alias of time.Time, which keeps its JSON and UTC methods', async () => {
    const files = [...(await models()).values()].join('\n');
    expect(files).toContain('type CreatedAt = time.Time\n');
  });

  it('keeps a named type with constraints a type of its own, with Validate', async () => {
    const files = [...(await models()).values()].join('\n');
    expect(files).toContain('type Code string\n');
    expect(files).toContain('func (v Code) Validate() error {');
  });
});
