import { UserError } from '../errors.js';
import { parsePointer, SourceFile, toPointer } from './source.js';

/**
 * An AsyncAPI 3 document beside a service's contract (`<name>proto/asyncapi.yaml`):
 * the events the service sends and receives besides its resource events.
 * svc reads channels (an address and the messages on it), operations (send
 * or receive on a channel) and messages with JSON Schema payloads; the rest
 * (servers, bindings, correlation IDs) is left to the reader.
 */
export const ASYNCAPI_FILE = 'asyncapi.yaml';

export interface LoadedAsyncAPI {
  kind: 'asyncapi';
  source: SourceFile;
  document: AsyncAPIDocument;
  /** Every operation, checked: its action, its channel's address and the messages it carries. */
  operations: AsyncOperation[];
}

export interface AsyncAPIDocument {
  asyncapi: string;
  info?: { title?: string; version?: string };
  channels?: Record<string, unknown>;
  operations?: Record<string, unknown>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface AsyncOperation {
  /** The operation's key under `operations` (e.g. onProductCreated). */
  name: string;
  action: 'send' | 'receive';
  /** The channel's address: the event type (e.g. product.created). */
  address: string;
  /** The messages it carries: their payload schemas' JSON pointers, and the message names. */
  messages: { name: string; payloadPointer: string }[];
  summary?: string;
  /** The operation's JSON pointer, for located messages. */
  pointer: string;
}

/** An event type: dot-separated lower-case words, as resource events are (`product.created`). */
const ADDRESS = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;

/** Reads and checks an AsyncAPI 3 document; every mistake is one UserError naming the file and line. */
export async function loadAsyncAPI(path: string, text?: string, displayPath?: string): Promise<LoadedAsyncAPI> {
  const source = text === undefined ? await SourceFile.read(path, displayPath) : SourceFile.parse(path, text, displayPath ?? path);
  const data = source.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserError('an AsyncAPI document must be a mapping at the top level', { file: source.displayPath, line: 1 });
  }
  const doc = data as AsyncAPIDocument;
  if (!('asyncapi' in doc)) throw new UserError('not an AsyncAPI document: no "asyncapi" version field', { file: source.displayPath, line: 1 });
  if (typeof doc.asyncapi !== 'string' || !/^3\.\d+\.\d+$/.test(doc.asyncapi)) {
    throw source.error('#/asyncapi', `unsupported AsyncAPI version ${JSON.stringify(doc.asyncapi)}: svc reads AsyncAPI 3 ("3.0.0")`);
  }
  const channels = mapping(source, doc.channels, '#/channels', 'channels') ?? {};
  const ops = mapping(source, doc.operations, '#/operations', 'operations') ?? {};
  const operations: AsyncOperation[] = [];
  const seen = new Map<string, string>();
  for (const [name, raw] of Object.entries(ops)) {
    const at = toPointer(['operations', name]);
    const op = mapping(source, raw, at, `operation ${name}`)!;
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw source.error(at, `operation name "${name}" must be letters, digits and underscores, starting with a letter (it names a Go method)`);
    if (op.action !== 'send' && op.action !== 'receive') throw source.error(`${at}/action`, `operation ${name}: action must be "send" or "receive", not ${JSON.stringify(op.action)}`);
    const channelRef = refOf(source, op.channel, `${at}/channel`, '#/channels/', `operation ${name}: channel`);
    const channelName = lastSegment(channelRef);
    const channel = mapping(source, channels[channelName], channelRef, `channel ${channelName}`);
    if (!channel) throw source.error(`${at}/channel/$ref`, `operation ${name}: no channel "${channelName}" under channels`);
    if (typeof channel.address !== 'string' || !ADDRESS.test(channel.address)) {
      throw source.error(`${channelRef}/address`, `channel ${channelName}: address must be an event type of dot-separated lower-case words (e.g. "product.created"), not ${JSON.stringify(channel.address)}`);
    }
    const messages = channelMessages(source, doc, channel, channelRef, channelName);
    if (op.messages !== undefined) {
      if (!Array.isArray(op.messages)) throw source.error(`${at}/messages`, `operation ${name}: messages must be a list of $refs to the channel's messages`);
      const picked = op.messages.map((m, i) => lastSegment(refOf(source, m, `${at}/messages/${i}`, `${channelRef}/messages/`, `operation ${name}: message`)));
      messages.splice(0, messages.length, ...messages.filter((m) => picked.includes(m.name)));
    }
    if (messages.length !== 1) {
      throw source.error(at, `operation ${name}: svc needs exactly one message per operation (one payload type per event type), found ${messages.length}`);
    }
    const key = `${op.action} ${channel.address}`;
    if (seen.has(key)) throw source.error(at, `operation ${name}: ${op.action}s ${channel.address} as operation ${seen.get(key)} already does`);
    seen.set(key, name);
    const out: AsyncOperation = { name, action: op.action, address: channel.address, messages, pointer: at };
    if (typeof op.summary === 'string') out.summary = op.summary;
    operations.push(out);
  }
  return { kind: 'asyncapi', source, document: doc, operations };
}

/** The messages of a channel, each resolved to its payload's pointer. */
function channelMessages(source: SourceFile, doc: AsyncAPIDocument, channel: Record<string, unknown>, at: string, channelName: string): AsyncOperation['messages'] {
  const messages = mapping(source, channel.messages, `${at}/messages`, `channel ${channelName}: messages`) ?? {};
  return Object.entries(messages).map(([name, raw]) => {
    let pointer = `${at}${toPointer(['messages', name]).slice(1)}`;
    let message = raw;
    if (isMapping(raw) && typeof raw.$ref === 'string') {
      pointer = refOf(source, raw, pointer, '#/components/messages/', `channel ${channelName}: message ${name}`);
      message = doc.components?.messages?.[lastSegment(pointer)];
      if (message === undefined) throw source.error(`${at}${toPointer(['messages', name, '$ref']).slice(1)}`, `channel ${channelName}: message ${name}: no such message ${pointer}`);
    }
    const m = mapping(source, message, pointer, `message ${name}`)!;
    if (m.payload === undefined) throw source.error(pointer, `message ${name}: no payload (a JSON Schema)`);
    if (m.contentType !== undefined && m.contentType !== 'application/json') {
      throw source.error(`${pointer}/contentType`, `message ${name}: svc sends JSON; contentType ${JSON.stringify(m.contentType)} is not supported`);
    }
    if (isMapping(m.payload) && m.payload.schemaFormat !== undefined) {
      throw source.error(`${pointer}/payload/schemaFormat`, `message ${name}: svc reads JSON Schema payloads, not ${JSON.stringify(m.payload.schemaFormat)}`);
    }
    return { name, payloadPointer: `${pointer}/payload` };
  });
}

function refOf(source: SourceFile, v: unknown, at: string, prefix: string, what: string): string {
  if (!isMapping(v) || typeof v.$ref !== 'string') throw source.error(at, `${what} must be a $ref to ${prefix}...`);
  if (!v.$ref.startsWith(prefix)) throw source.error(`${at}/$ref`, `${what}: $ref ${JSON.stringify(v.$ref)} must point under ${prefix}`);
  return v.$ref;
}

function mapping(source: SourceFile, v: unknown, at: string, what: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isMapping(v)) throw source.error(at, `${what} must be a mapping`);
  return v;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The last segment of a JSON pointer, unescaped: the name a `$ref` points to. */
function lastSegment(pointer: string): string {
  return parsePointer(pointer).pop() ?? '';
}
