import type { EventMessage, Resource } from '../../model/types.js';
import { words } from '../../model/names.js';
import type { Artifact } from '../artifact.js';
import { comment, GoFile } from './gofile.js';
import { unique, type GoModel } from './gomodel.js';
import { exportedName, fileStem, goString } from './naming.js';
import { SERVICE_DIR } from './crud.js';
import { localImportPrefix, runtimeImport } from '../runtimepkgs.js';

/**
 * The service's events as Go: `internal/service/events.gen.go` names every
 * event type the service publishes (its resources' changes, the `send`
 * operations of asyncapi.yaml) or consumes (the `receive` ones), gives each
 * send operation a typed publish method and registers the handlers; one
 * user-owned stub per received event holds what a person writes.
 */

/** The event types of a resource's changes: `product.created`, `.updated`, `.deleted`. */
export const RESOURCE_CHANGES = ['created', 'updated', 'deleted'] as const;

export function resourceEventType(r: Resource, change: (typeof RESOURCE_CHANGES)[number]): string {
  return `${words(r.name).join('_')}.${change}`;
}

interface EventNames {
  /** Event type → its Go constant (`EventProductCreated`). */
  consts: Map<string, string>;
  /** Per AsyncAPI operation, its Go method (`PublishStockLow`, `OnProductCreated`). */
  methods: Map<EventMessage, string>;
}

const decided = new WeakMap<GoModel, EventNames>();

/** The Go names of the events, decided once per model: constants unique among themselves, methods apart from the API's. */
export function eventNames(gm: GoModel): EventNames {
  let names = decided.get(gm);
  if (names) return names;
  const consts = new Map<string, string>();
  const taken = new Set<string>();
  const types = [...gm.model.resources.flatMap((r) => RESOURCE_CHANGES.map((c) => resourceEventType(r, c))), ...(gm.model.events ?? []).map((e) => e.type)];
  for (const t of types) if (!consts.has(t)) consts.set(t, unique(`Event${exportedName(t.replaceAll('.', ' '))}`, taken));
  // Methods live on *Service beside the operations and the embedded Dependencies' members.
  const methodsTaken = new Set([...gm.model.operations.map((o) => gm.opName(o)), 'Subscribe', 'InTx', 'Repos', 'Events', 'Log', 'Config', 'Clients', 'Tx']);
  const methods = new Map<EventMessage, string>();
  for (const e of gm.model.events ?? []) {
    let base = exportedName(e.name);
    if (e.action === 'send' && !/^Publish/.test(base)) base = `Publish${base}`;
    methods.set(e, unique(base, methodsTaken));
  }
  names = { consts, methods };
  decided.set(gm, names);
  return names;
}

/** The Go constant naming an event type, e.g. `EventProductCreated`. */
export function eventConst(gm: GoModel, type: string): string {
  return eventNames(gm).consts.get(type)!;
}

export function renderEvents(gm: GoModel, reserved: readonly string[]): Artifact[] {
  const names = eventNames(gm);
  const out: Artifact[] = [];
  const f = new GoFile(`${SERVICE_DIR}/events.gen.go`, 'service');
  const consts = [...names.consts];
  if (consts.length > 0) {
    f.add(
      '// The event types the service publishes (its resources\' changes and the send',
      '// operations of asyncapi.yaml) and consumes (its receive operations).',
      'const (',
      ...consts.map(([type, c]) => `\t${c}\v= ${goString(type)}`),
      ')',
    );
  }
  const events = gm.model.events ?? [];
  const ctx = () => f.use('context');
  for (const e of events.filter((x) => x.action === 'send')) {
    const method = names.methods.get(e)!;
    f.add(
      ...comment(`${method} publishes a ${e.type} event (asyncapi.yaml operation ${e.name})${said(e)} subject names what it is about (an identifier), or is empty. Inside InTx, with the SQL database, it is written to the outbox in the transaction.`),
      `func (d *Dependencies) ${method}(ctx ${ctx()}.Context, subject string, payload ${payloadType(gm, e, f)}) error {`,
      `\treturn d.publishEvent(ctx, ${names.consts.get(e.type)}, subject, payload)`,
      '}',
    );
  }
  const received = events.filter((x) => x.action === 'receive');
  const event = f.use(runtimeImport(gm.settings, 'event'));
  const fmt = () => f.use('fmt');
  f.add(
    ...comment(
      received.length > 0
        ? `Subscribe registers the handlers of the events the service receives (asyncapi.yaml's receive operations) with sub. A payload that does not decode is an error: the event is retried, then dead-lettered.`
        : 'Subscribe registers the handlers of the events the service receives: none, as it has no asyncapi.yaml receive operation.',
    ),
    `func (s *Service) Subscribe(${received.length > 0 ? 'sub' : '_'} ${event}.Subscriber) error {`,
    ...received.flatMap((e) => {
      const c = names.consts.get(e.type)!;
      const ref = e.payload.kind === 'named' && gm.decl(e.payload.name).kind === 'object';
      return [
        `\tif err := sub.Subscribe(${c}, func(ctx ${ctx()}.Context, e ${event}.Event) error {`,
        `\t\tvar payload ${gm.goType(e.payload, f)}`,
        '\t\tif err := e.Decode(&payload); err != nil {',
        '\t\t\treturn err',
        '\t\t}',
        `\t\treturn s.${names.methods.get(e)}(ctx, e, ${ref ? '&payload' : 'payload'})`,
        '\t}); err != nil {',
        `\t\treturn ${fmt()}.Errorf("subscribe to %s: %w", ${c}, err)`,
        '\t}',
      ];
    }),
    '\treturn nil',
    '}',
  );
  out.push(f.toArtifact(localImportPrefix(gm.settings)));
  for (const e of received) out.push(handlerStub(gm, e, reserved));
  return out;
}

/** A payload parameter's Go type: an object by pointer, anything else by value. */
function payloadType(gm: GoModel, e: EventMessage, f: GoFile): string {
  const t = gm.goType(e.payload, f);
  return e.payload.kind === 'named' && gm.decl(e.payload.name).kind === 'object' ? `*${t}` : t;
}

function handlerStub(gm: GoModel, e: EventMessage, reserved: readonly string[]): Artifact {
  const method = eventNames(gm).methods.get(e)!;
  const f = new GoFile(gm.fileName(SERVICE_DIR, fileStem(e.name), '.go', reserved), 'service', { generated: false });
  const ctx = f.use('context');
  const event = f.use(runtimeImport(gm.settings, 'event'));
  const zap = f.use('go.uber.org/zap');
  f.add(
    ...comment(`${method} handles ${e.type} events (asyncapi.yaml operation ${e.name})${said(e)}`),
    '//',
    '// It runs once per event: the consumer records the event ID as processed,',
    '// with the SQL database in the same transaction as the repositories\' writes',
    '// made through ctx. Return an error to have the event delivered again, with',
    '// backoff; after events.max_attempts it goes to the dead-letter destination.',
    `func (s *Service) ${method}(ctx ${ctx}.Context, e ${event}.Event, payload ${payloadType(gm, e, f)}) error {`,
    `\ts.Log.Info(${goString(`${e.type} received: handle it in ${method}`)}, ${zap}.String("event_id", e.ID), ${zap}.String("subject", e.Subject))`,
    '\treturn nil',
    '}',
  );
  const a = f.toArtifact(localImportPrefix(gm.settings));
  a.signature = a.content.split('\n').find((l) => l.startsWith(`func (s *Service) ${method}(`));
  return a;
}

/** `: a record was kept.` from the operation's summary, or `.` */
function said(e: EventMessage): string {
  const s = e.summary?.trim().replace(/\.$/, '');
  return s ? `: ${s.charAt(0).toLowerCase()}${s.slice(1)}.` : '.';
}
