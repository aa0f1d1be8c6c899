/**
 * Test support: a throwaway PostgreSQL cluster from Debian's binaries
 * (/usr/lib/postgresql/<version>/bin), made with `initdb` in a temporary
 * folder and run with `pg_ctl` as an unprivileged user on a random loopback
 * port, with trust authentication for one superuser. No system service is
 * involved; `stop` removes everything. `postgresBinDir()` is undefined when
 * PostgreSQL is not installed, so suites can skip with a printed reason.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freeLoopbackPort, unprivilegedUser, waitFor } from './service-process.ts';

const run = promisify(execFile);
const ROOT = '/usr/lib/postgresql';

export function postgresBinDir(): string | undefined {
  if (!existsSync(ROOT)) return undefined;
  const versions = readdirSync(ROOT).filter((v) => existsSync(join(ROOT, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(ROOT, versions[0], 'bin');
}

export const POSTGRES_SKIP_REASON = postgresBinDir() === undefined
  ? `PostgreSQL binaries not found under ${ROOT} (install Debian's postgresql package; .ci/run does)`
  : undefined;

export interface PostgresCluster {
  port: number;
  /** URL of a database of the cluster; `createDatabase` makes fresh ones. */
  url(database?: string): string;
  /** A new empty database, named uniquely. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

let databases = 0;

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(POSTGRES_SKIP_REASON);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-pg-'));
  const data = join(dir, 'data');
  const user = unprivilegedUser();
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  if (user) await chown(dir, user.uid, user.gid);
  await chmod(dir, 0o700);
  await run(join(bin, 'initdb'), ['-D', data, '-U', 'sluice', '--auth=trust', '-E', 'UTF8', '--locale=C', '-N'], { ...as, cwd: dir });
  let port = 0;
  let started = false;
  // A port found free may be taken before the server binds it: try a few.
  for (let attempt = 0; attempt < 5 && !started; attempt++) {
    port = await freeLoopbackPort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    try {
      await run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '30', 'start'], { ...as, cwd: dir });
      started = true;
    } catch {
      await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { ...as, cwd: dir }).catch(() => undefined);
    }
  }
  if (!started) {
    await rm(dir, { recursive: true, force: true });
    throw new Error('could not start a PostgreSQL cluster');
  }
  const url = (database = 'postgres') => `postgresql://sluice@127.0.0.1:${port}/${database}`;
  await waitFor('PostgreSQL to accept connections', async () => {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    await client.end();
    return true;
  });
  return {
    port,
    url,
    async createDatabase() {
      const name = `sluice_test_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return name;
    },
    async stop() {
      await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { ...as, cwd: dir }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
