import { input, select } from '@inquirer/prompts';
import { DATABASES, TRANSPORTS, type Database, type Transport } from '../project/settings.js';

export interface NewAnswers {
  module: string;
  openapi?: string;
  transports: Transport[];
  database: Database;
}

/** Asks, on a terminal, what `svc new` was not told by flags. */
export async function askNew(name: string, known: Partial<NewAnswers> & { openapiGiven: boolean }): Promise<NewAnswers> {
  const module = known.module ?? (await input({ message: 'Go module path', default: `example.com/${name}` }));
  let openapi = known.openapi;
  if (!known.openapiGiven) {
    const start = await select({
      message: 'Contract to start from',
      choices: [
        { name: `The starter OpenAPI contract (a ${name} CRUD resource)`, value: 'starter' },
        { name: 'An OpenAPI file I have', value: 'file' },
      ],
    });
    if (start === 'file') openapi = await input({ message: 'Path to the OpenAPI file', required: true });
  }
  const transport =
    known.transports?.[0] ??
    (await select({ message: 'Transport', choices: TRANSPORTS.map((t) => ({ name: t === 'http' ? 'HTTP/JSON (net/http)' : t, value: t })) }));
  const database =
    known.database ??
    (await select({ message: 'Database', choices: DATABASES.map((d) => ({ name: DATABASE_LABELS[d], value: d })) }));
  const answers: NewAnswers = { module, transports: [transport], database };
  if (openapi !== undefined) answers.openapi = openapi;
  return answers;
}

const DATABASE_LABELS: Record<Database, string> = {
  sql: 'SQL: embedded SQLite by default, PostgreSQL by configuration',
  memory: 'In-memory repository (data lost on restart)',
};
