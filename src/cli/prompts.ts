import { input, select } from '@inquirer/prompts';
import { DATABASES, TRANSPORTS, type Database, type Transport } from '../project/settings.js';

export interface NewAnswers {
  module: string;
  openapi?: string;
  /** A .proto contract (`true`: the starter proto). */
  proto?: string | true;
  transports: Transport[];
  database: Database;
}

/** Asks, on a terminal, what `svc new` was not told by flags. */
export async function askNew(name: string, known: Partial<NewAnswers> & { openapiGiven: boolean }): Promise<NewAnswers> {
  const module = known.module ?? (await input({ message: 'Go module path', default: `example.com/${name}` }));
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
    if (start === 'file') openapi = await input({ message: 'Path to the OpenAPI file', required: true });
    if (start === 'starter-proto') proto = true;
    if (start === 'proto-file') proto = await input({ message: 'Path to the .proto file', required: true });
  }
  // An OpenAPI service serves HTTP/JSON; a proto service gRPC and its REST gateway.
  const transports: Transport[] = proto !== undefined ? [...TRANSPORTS] : known.transports ?? ['http'];
  const database =
    known.database ??
    (await select({ message: 'Database', choices: DATABASES.map((d) => ({ name: DATABASE_LABELS[d], value: d })) }));
  const answers: NewAnswers = { module, transports, database };
  if (openapi !== undefined) answers.openapi = openapi;
  if (proto !== undefined) answers.proto = proto;
  return answers;
}

const DATABASE_LABELS: Record<Database, string> = {
  sql: 'SQL: embedded SQLite by default, PostgreSQL by configuration',
  memory: 'In-memory repository (data lost on restart)',
};
