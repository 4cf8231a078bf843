import { EventEmitter } from 'node:events';
import pino from 'pino';
import type { RedisClient } from '../../src/redis/connect';
import { PrimaryWatch } from '../../src/redis/primary-watch';

/** A single-node client as far as the watch sees one: `ready` events, a status, INFO server. */
interface FakeRedis extends EventEmitter {
  isCluster: false;
  status: string;
  runId: string;
  failing: boolean;
  info: jest.Mock<Promise<string>, []>;
}

function fakeRedis(): FakeRedis {
  const client: FakeRedis = Object.assign(new EventEmitter(), {
    isCluster: false as const,
    status: 'ready',
    runId: 'a'.repeat(40),
    failing: false,
    info: jest.fn<Promise<string>, []>(() =>
      client.failing
        ? Promise.reject(new Error('Connection is closed.'))
        : Promise.resolve(`# Server\r\nredis_version:7.0.15\r\nrun_id:${client.runId}\r\ntcp_port:6379\r\n`),
    ),
  });
  return client;
}

function watch(client: FakeRedis) {
  const switches: { before: string[]; after: string[] }[] = [];
  const w = new PrimaryWatch(client as unknown as RedisClient, pino({ level: 'silent' }), (detail) => switches.push(detail));
  return { w, switches };
}

describe('PrimaryWatch', () => {
  it('the first look only learns the primary; the same primary reconnected is no switch', async () => {
    const client = fakeRedis();
    const { w, switches } = watch(client);
    await w.check();
    await w.check();
    expect(switches).toEqual([]);
  });

  it('another run_id is a switch, reported once; a failover back to the first primary is one too', async () => {
    const client = fakeRedis();
    const { w, switches } = watch(client);
    await w.check();
    client.runId = 'b'.repeat(40);
    await w.check();
    await w.check();
    client.runId = 'a'.repeat(40);
    await w.check();
    expect(switches).toEqual([
      { before: ['a'.repeat(40)], after: ['b'.repeat(40)] },
      { before: ['b'.repeat(40)], after: ['a'.repeat(40)] },
    ]);
  });

  it('a look that fails (not connected) changes nothing; the next one compares with the last primary known', async () => {
    const client = fakeRedis();
    const { w, switches } = watch(client);
    await w.check();
    client.failing = true;
    client.runId = 'c'.repeat(40);
    await w.check();
    expect(switches).toEqual([]);
    client.failing = false;
    await w.check();
    expect(switches).toHaveLength(1);
  });

  it('looks at every (re)connection while it runs, and no more once its signal aborted', async () => {
    const client = fakeRedis();
    const { w, switches } = watch(client);
    const controller = new AbortController();
    const running = w.run(controller.signal);
    await w.check();
    client.runId = 'd'.repeat(40);
    client.emit('ready');
    await w.check();
    expect(switches).toHaveLength(1);
    controller.abort();
    await running;
    client.runId = 'e'.repeat(40);
    client.emit('ready');
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.listenerCount('ready')).toBe(0);
    expect(switches).toHaveLength(1);
  });
});
