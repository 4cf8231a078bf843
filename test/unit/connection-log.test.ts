import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { KalshiConnection } from '../../src/kalshi/connection';
import { loggerOptions } from '../../src/observability/logger';
import { waitFor } from '../helpers/wait';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

it("logs the socket's error as { err }: type, code and stack, not only its message", async () => {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    loggerOptions('info'),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const noop = () => undefined;
  const connection = new KalshiConnection({
    id: 1,
    url: `ws://127.0.0.1:${await closedPort()}`,
    credentials: { keyId: 'k', privateKey },
    stallTimeoutMs: 30_000,
    log,
    handlers: { onOpen: noop, onClose: noop, onMessage: noop, onInvalid: noop, onReconnect: noop, onAuthRejected: noop },
  });
  connection.start();
  try {
    const line = await waitFor(() => lines.find((l) => l.msg === 'Kalshi socket error'), { message: 'the socket error logged' });
    expect(line.err).toMatchObject({ type: 'Error', code: 'ECONNREFUSED', message: expect.stringContaining('ECONNREFUSED') });
    expect((line.err as { stack?: string }).stack).toMatch(/\n\s+at /);
  } finally {
    await connection.stop();
  }
});
