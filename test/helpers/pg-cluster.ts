import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's Postgres binaries (CI installs them); the tests that need them skip, saying so, where they are missing. */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export function pgBinariesMissing(): string | undefined {
  const missing = ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'].filter((name) => !existsSync(path.join(PG_BIN, name)));
  return missing.length === 0 ? undefined : `Postgres binaries missing in ${PG_BIN}: ${missing.join(', ')} (set PG_BIN)`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** initdb refuses root: as root, every server command runs as the postgres OS user. */
const asRoot = process.getuid?.() === 0;
async function pg(command: string, args: string[]): Promise<string> {
  const file = path.join(PG_BIN, command);
  const { stdout } = asRoot
    ? await run('runuser', ['-u', 'postgres', '--', file, ...args], { timeout: 60_000 })
    : await run(file, args, { timeout: 60_000 });
  return stdout;
}

export interface PgNode {
  port: number;
  dir: string;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
}

export interface PrimaryAndStandby {
  primary: PgNode;
  standby: PgNode & { promote(): Promise<void> };
  /** postgres://postgres@127.0.0.1:P,127.0.0.1:S/postgres?target_session_attrs=read-write (optionally another database). */
  url(database?: string): string;
  /** Stops both servers (if running) and removes the directory. */
  cleanup(): Promise<void>;
}

const SERVER_SETTINGS = (port: number, socketDir: string) => `
port = ${port}
listen_addresses = '127.0.0.1'
unix_socket_directories = '${socketDir}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 40
log_min_messages = warning
`;

/**
 * A real Postgres primary and a real streaming standby of it (pg_basebackup -R) on free loopback ports, in a
 * temporary directory, trust authentication. For the failover tests: stop the primary, promote the standby.
 */
export async function startPrimaryAndStandby(): Promise<PrimaryAndStandby> {
  const root = await mkdtemp(path.join(tmpdir(), 'ki-pg-'));
  if (asRoot) await chown(root, ...(await postgresIds()));
  await chmod(root, 0o700);
  const primaryDir = path.join(root, 'primary');
  const standbyDir = path.join(root, 'standby');
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const started: string[] = [];
  const stop = async (dir: string, mode: 'fast' | 'immediate' = 'fast') => {
    if (!started.includes(dir)) return;
    started.splice(started.indexOf(dir), 1);
    await pg('pg_ctl', ['-D', dir, '-m', mode, '-w', 'stop']).catch(() => undefined);
  };
  const start = async (dir: string) => {
    await pg('pg_ctl', ['-D', dir, '-l', path.join(root, `${path.basename(dir)}.log`), '-w', '-t', '30', 'start']);
    started.push(dir);
  };
  const cleanup = async () => {
    for (const dir of [...started]) await stop(dir, 'immediate');
    await rm(root, { recursive: true, force: true });
  };
  try {
    await pg('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await appendFile(path.join(primaryDir, 'postgresql.conf'), SERVER_SETTINGS(primaryPort, root));
    await start(primaryDir);
    await pg('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standbyDir, '-R', '-X', 'stream', '--checkpoint=fast', '--no-sync']);
    await appendFile(path.join(standbyDir, 'postgresql.conf'), `\nport = ${standbyPort}\n`);
    await start(standbyDir);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    primary: { port: primaryPort, dir: primaryDir, stop: (mode) => stop(primaryDir, mode) },
    standby: {
      port: standbyPort,
      dir: standbyDir,
      stop: (mode) => stop(standbyDir, mode),
      promote: async () => {
        await pg('pg_ctl', ['-D', standbyDir, '-w', '-t', '30', 'promote']);
      },
    },
    url: (database = 'postgres') =>
      `postgres://postgres@127.0.0.1:${primaryPort},127.0.0.1:${standbyPort}/${database}?target_session_attrs=read-write`,
    cleanup,
  };
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return [Number(uid.trim()), Number(gid.trim())];
}
