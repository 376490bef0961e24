import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { addEvents } from '../../src/build/asyncapi.js';
import { buildModel } from '../../src/build/index.js';
import { loadAsyncAPI } from '../../src/load/asyncapi.js';
import { loadContract } from '../../src/load/index.js';
import type { ServiceModel } from '../../src/model/types.js';
import { GoModel } from '../../src/render/go/gomodel.js';
import { renderServiceLayer } from '../../src/render/go/service.js';
import { projectContext } from '../../src/render/project.js';

const AUDIT = readFileSync(new URL('../../fixtures/audit/audit.yaml', import.meta.url), 'utf8');
const EVENTS = readFileSync(new URL('../../fixtures/audit/asyncapi.yaml', import.meta.url), 'utf8');

async function audit(events = EVENTS): Promise<ServiceModel> {
  const model = buildModel(await loadContract('/virtual/audit.yaml', 'openapi', AUDIT, 'audit.yaml'), 'audit');
  addEvents(model, await loadAsyncAPI('/virtual/asyncapi.yaml', events, 'asyncapi.yaml'));
  return model;
}

async function errorOf(text: string): Promise<string> {
  try {
    await audit(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).format();
  }
  throw new Error('expected an error');
}

function render(model: ServiceModel): Map<string, string> {
  const gm = new GoModel(model, { name: 'audit', module: 'example.com/audit', contract: 'audit.yaml', contractKind: 'openapi' });
  return new Map(renderServiceLayer(gm).map((a) => [a.path, a.content]));
}

describe('AsyncAPI 3: the events a service sends and receives', () => {
  it('reads operations with their event types and typed payloads', async () => {
    const model = await audit();
    expect(model.events!.map((e) => [e.name, e.action, e.type])).toEqual([
      ['onProductCreated', 'receive', 'product.created'],
      ['recorded', 'send', 'audit.recorded'],
    ]);
    expect(model.events![0]!.payload).toEqual({ kind: 'named', name: 'ProductCreated' });
    // The inline payload is named after its message.
    expect(model.types.map((t) => t.name)).toContain('Recorded');
  });

  it('registers a typed handler per received event and a publish method per sent one', async () => {
    const files = render(await audit());
    const events = files.get('internal/service/events.gen.go')!;
    expect(events).toContain('\tEventProductCreated = "product.created"\n');
    expect(events).toContain('\tEventRecordCreated  = "record.created"\n');
    expect(events).toContain('func (d *Dependencies) PublishRecorded(ctx context.Context, subject string, payload *models.Recorded) error {');
    expect(events).toContain('\t\tvar payload models.ProductCreated\n');
    expect(events).toContain('\t\treturn s.OnProductCreated(ctx, e, &payload)\n');
    const stub = files.get('internal/service/on_product_created.go')!;
    expect(stub.startsWith('// Code generated')).toBe(false);
    expect(stub).toContain('func (s *Service) OnProductCreated(ctx context.Context, e event.Event, payload *models.ProductCreated) error {');
  });

  it('writes the change and its event in one transaction', async () => {
    const create = render(await audit()).get('internal/service/create_record.go')!;
    expect(create).toContain('\tif err := s.InTx(ctx, func(ctx context.Context) error {\n\t\tif err := s.Repos.Records.Create(ctx, record); err != nil {');
    expect(create).toContain('\t\treturn s.publishEvent(ctx, EventRecordCreated, record.ID, record)\n');
  });

  it('a service without receive operations subscribes to nothing', async () => {
    const model = buildModel(await loadContract('/virtual/audit.yaml', 'openapi', AUDIT, 'audit.yaml'), 'audit');
    expect(render(model).get('internal/service/events.gen.go')).toContain('func (s *Service) Subscribe(_ event.Subscriber) error {\n\treturn nil\n}');
  });

  it('takes a resource\'s cache TTL from x-svc-cache-ttl on its get, as a config default', async () => {
    const model = await audit();
    expect(model.operations.find((o) => o.name === 'getRecord')!.cacheTtlMs).toBe(30_000);
    const ctx = projectContext(model, { name: 'audit', module: 'example.com/audit', contract: 'audit.yaml', contractKind: 'openapi', cache: 'memory' });
    expect(ctx.cache.ttls).toEqual([{ key: '"record":', go: '30000 * time.Millisecond' }]);
  });

  it('refuses an x-svc-cache-ttl that is not a duration, at its line', async () => {
    await expect(loadContract('/virtual/audit.yaml', 'openapi', AUDIT.replace('x-svc-cache-ttl: 30s', 'x-svc-cache-ttl: soon'), 'audit.yaml').then((l) => buildModel(l, 'audit'))).rejects.toThrow(
      /x-svc-cache-ttl must be a duration of at least 1ms such as "30s" or "5m", not "soon"/,
    );
  });

  it.each([
    ['a version other than 3', EVENTS.replace('asyncapi: 3.0.0', 'asyncapi: 2.6.0'), /^asyncapi\.yaml:1:\d+ \(#\/asyncapi\): unsupported AsyncAPI version "2\.6\.0"/],
    ['an unknown action', EVENTS.replace('action: receive', 'action: listen'), /^asyncapi\.yaml:\d+:\d+ \(#\/operations\/onProductCreated\/action\): .*"send" or "receive"/],
    ['a channel that does not exist', EVENTS.replace("channel: { $ref: '#/channels/productCreated' }", "channel: { $ref: '#/channels/nope' }"), /asyncapi\.yaml:\d+:\d+ .*no channel "nope"/],
    ['an address that is not an event type', EVENTS.replace('address: product.created', 'address: Products/Created'), /^asyncapi\.yaml:7:5 .*address must be an event type/],
    ['a message without payload', EVENTS.replace("        payload: { $ref: '#/components/schemas/ProductCreated' }\n", '        name: x\n'), /^asyncapi\.yaml:\d+:\d+ .*message productCreated: no payload/],
    [
      'a payload type that clashes with the contract',
      EVENTS.replace('    ProductCreated:\n', '    Record:\n').replace("'#/components/schemas/ProductCreated'", "'#/components/schemas/Record'"),
      /^asyncapi\.yaml:\d+:\d+ .*schema Record differs from the contract's type of the same name/,
    ],
  ])('refuses %s, at its line', async (_name, text, want) => {
    expect(await errorOf(text)).toMatch(want);
  });
});
