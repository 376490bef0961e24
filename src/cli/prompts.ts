import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { input, select } from '@inquirer/prompts';
import { checkModulePath } from '../pipeline/names.js';
import { CACHES, DATABASES, EVENT_BROKERS, TRANSPORTS, type CacheKind, type Database, type EventBroker, type Transport } from '../project/settings.js';

export interface NewAnswers {
  module: string;
  openapi?: string;
  /** A .proto contract (`true`: the starter proto). */
  proto?: string | true;
  transports: Transport[];
  database: Database;
  events: EventBroker;
  cache: CacheKind;
}

/**
 * Asks, on a terminal, what `svc new` was not told by flags. Each answer is
 * checked at its prompt: a bad one is refused there, with the reason, and
 * asked again.
 */
export async function askNew(name: string, known: Partial<NewAnswers> & { openapiGiven: boolean; cwd: string }): Promise<NewAnswers> {
  const module = known.module ?? (await input({ message: 'Go module path', default: `example.com/${name}`, validate: validModule })).trim();
  let openapi = known.openapi;
  let proto: string | true | undefined;
  if (!known.openapiGiven) {
    const start = await select({
      message: 'Contract to start from',
      choices: [
        { name: `The starter OpenAPI contract (a ${name} CRUD resource, HTTP/JSON)`, value: 'starter' },
        { name: 'An OpenAPI file I have', value: 'file' },
        { name: `The starter proto (the same resource as gRPC + REST gateway)`, value: 'starter-proto' },
        { name: 'A .proto file I have', value: 'proto-file' },
      ],
    });
    if (start === 'file') openapi = await input({ message: 'Path to the OpenAPI file', required: true, validate: (p) => existingFile(known.cwd, p) }).then((p) => p.trim());
    if (start === 'starter-proto') proto = true;
    if (start === 'proto-file') proto = (await input({ message: 'Path to the .proto file', required: true, validate: (p) => existingFile(known.cwd, p) })).trim();
  }
  // An OpenAPI service serves HTTP/JSON; a proto service gRPC and its REST gateway.
  const transports: Transport[] = proto !== undefined ? [...TRANSPORTS] : known.transports ?? ['http'];
  const database =
    known.database ??
    (await select({ message: 'Database', choices: DATABASES.map((d) => ({ name: DATABASE_LABELS[d], value: d })) }));
  const events = known.events ?? (await select({ message: 'Events', choices: EVENT_BROKERS.map((e) => ({ name: EVENT_LABELS[e], value: e })) }));
  const cache = known.cache ?? (await select({ message: 'Cache repository reads', choices: CACHES.map((c) => ({ name: CACHE_LABELS[c], value: c })) }));
  const answers: NewAnswers = { module, transports, database, events, cache };
  if (openapi !== undefined) answers.openapi = openapi;
  if (proto !== undefined) answers.proto = proto;
  return answers;
}

/** A prompt's check of a module path: true, or why not (the prompt shows it and asks again). */
export function validModule(value: string): true | string {
  try {
    checkModulePath(value.trim());
    return true;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A prompt's check of a contract path, relative to `cwd`: an existing file. */
export function existingFile(cwd: string, value: string): true | string {
  const path = resolve(cwd, value.trim());
  try {
    return statSync(path).isFile() ? true : `${value} is a folder, not a file`;
  } catch {
    return `${value} does not exist (relative paths start at ${cwd})`;
  }
}

const EVENT_LABELS: Record<EventBroker, string> = {
  memory: 'In process only (events reach this process\'s own subscribers)',
  nats: 'NATS JetStream, with the in-memory broker for tests',
  kafka: 'Kafka, with the in-memory broker for tests',
};

const CACHE_LABELS: Record<CacheKind, string> = {
  off: 'No cache',
  memory: 'In process (an LRU in each replica)',
  redis: 'In process in front of Redis (shared by the replicas)',
};

const DATABASE_LABELS: Record<Database, string> = {
  sql: 'SQL: embedded SQLite by default, PostgreSQL by configuration',
  memory: 'In-memory repository (data lost on restart)',
};
