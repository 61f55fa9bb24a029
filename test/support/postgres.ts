import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { describeIfEnv } from './describe-if';

/**
 * PostgreSQL for tests. CI exports TEST_POSTGRES_URL (see .ci/run), and then these suites must run:
 * a failure to connect fails them loudly. Without it (a laptop with no PostgreSQL) they are
 * reported as not run, with the reason.
 */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL;

export const describeWithPostgres = describeIfEnv('TEST_POSTGRES_URL');

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database of its own on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (!TEST_POSTGRES_URL) throw new Error('TEST_POSTGRES_URL is not set');
  const name = `gw_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
