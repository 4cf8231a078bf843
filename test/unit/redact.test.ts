import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from '../../src/observability/logger';
import { errSerializer, redactUrl, withoutUserInfo } from '../../src/observability/redact';

describe('redactUrl', () => {
  it('hides the password of well-formed and malformed URLs, wherever they are in a text', () => {
    expect(redactUrl('postgres://ingestor:s3cret@db:5432/prices')).toBe('postgres://ingestor:***@db:5432/prices');
    expect(redactUrl('"redis://:hunter2@cache:6379 oops"')).toBe('"redis://:***@cache:6379 oops"');
    expect(redactUrl('connect to postgresql://u:p%40ss@h/db failed; then rediss://x:y@z')).toBe('connect to postgresql://u:***@h/db failed; then rediss://x:***@z');
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe('postgres://postgres@127.0.0.1:5432/postgres');
  });

  it('hides a password holding unencoded / ? # or @ whole (it runs to the last @ before a space)', () => {
    for (const password of ['Zq/Wv', 'Zq?Wv', 'Zq#Wv', 'Zq@Wv', 'Z/q?W#v@x']) {
      expect(redactUrl(`failed on postgres://app:${password}@db:5432/prices today`)).toBe('failed on postgres://app:***@db:5432/prices today');
    }
  });

  it('withoutUserInfo hides the user too, whatever the password holds', () => {
    expect(withoutUserInfo('"postgres://app:Z/q?W#v@x@h1:5432,h2:5432/db"')).toBe('"postgres://***@h1:5432,h2:5432/db"');
    expect(withoutUserInfo('redis://cache:6379')).toBe('redis://cache:6379');
  });
});

describe('the logger', () => {
  function capture(): { log: pino.Logger; lines: Record<string, unknown>[] } {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    return { log: pino(loggerOptions('info'), sink), lines };
  }

  it('logs { err } with its stack, code and cause, and no URL credentials anywhere in it', () => {
    const { log, lines } = capture();
    const cause = new Error('connect ECONNREFUSED for postgres://app:hunter2@db/prices');
    const err = Object.assign(new Error('flush failed on postgres://app:hunter2@db/prices', { cause }), { code: '57P01' });
    log.error({ err }, 'Postgres flush failed');
    const line = lines[0] as { err: { type: string; message: string; stack: string; code: string } };
    expect(line.err.type).toBe('Error');
    expect(line.err.code).toBe('57P01');
    expect(line.err.stack).toContain('redact.test.ts');
    expect(line.err.message).toContain('postgres://app:***@db/prices');
    expect(JSON.stringify(line)).toContain('ECONNREFUSED'); // the cause is there
    expect(JSON.stringify(line)).not.toContain('hunter2');
  });

  it('keeps URLs under url keys without their password, and hides keys and passwords whole', () => {
    const { log, lines } = capture();
    log.info({ url: 'redis://:hunter2@cache:6379', config: { databaseUrl: 'postgres://a:hunter2@b/c', privateKey: 'PEM' }, password: 'x' }, 'hello');
    expect(lines[0]).toMatchObject({ url: 'redis://:***@cache:6379', config: { databaseUrl: 'postgres://a:***@b/c', privateKey: '[redacted]' }, password: '[redacted]' });
  });

  it('passes non-errors through the err serializer unchanged (strings redacted)', () => {
    expect(errSerializer(42)).toBe(42);
    expect(errSerializer('at redis://:hunter2@x')).toBe('at redis://:***@x');
  });
});
