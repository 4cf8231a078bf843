import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEmptyDatabase, type TestDatabase } from '../helpers/db';

const CLI = path.resolve(__dirname, '../../src/db/migrate-cli.ts');
let hookDir: string;
let hook: string;
let db: TestDatabase;

// Runs the TypeScript CLI in a child Node with a tiny @swc/core require hook (no build needed).
beforeAll(async () => {
  hookDir = await mkdtemp(path.join(tmpdir(), 'ki-cli-'));
  hook = path.join(hookDir, 'swc-hook.js');
  const swc = require.resolve('@swc/core');
  await writeFile(
    hook,
    `const swc = require(${JSON.stringify(swc)});
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformFileSync(filename, {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: false,
  });
  module._compile(code, filename);
};
`,
  );
  db = await createEmptyDatabase();
});
afterAll(async () => {
  await db?.drop();
  await rm(hookDir, { recursive: true, force: true });
});

function run(databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', hook, CLI], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('migrate-cli', () => {
  it('applies the migrations, then reports "up to date", exiting 0', async () => {
    const first = await run(db.url);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied 001_frontend_games\.sql\n/);
    expect(first.stdout).toMatch(/applied \d+ migration\(s\)\n$/);

    const second = await run(db.url);
    expect(second).toEqual({ code: 0, stdout: 'up to date\n', stderr: '' });
  });

  it('prints one clear line and exits 1 when Postgres cannot be reached, without the password', async () => {
    const result = await run('postgres://postgres:s3cret@127.0.0.1:1/postgres');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cannot reach Postgres at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres: ECONNREFUSED; is it running\?$/);
    expect(result.stderr).not.toContain('s3cret');
  });
});
