import { setTimeout as sleep } from 'node:timers/promises';
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { PgMessageCounter } from '../helpers/pg-messages';
import { spawnService, type ServiceProcess } from '../helpers/service-process';
import { TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';

let h: Harness;
const proxy = new TcpProxy('127.0.0.1', 5432);
const counter = new PgMessageCounter();
let service: ServiceProcess | undefined;

beforeAll(async () => {
  h = await startHarness({ start: false });
  await proxy.start();
  proxy.onClientData = (chunk, id) => counter.feed(chunk, id);
});

afterAll(async () => {
  service?.kill('SIGKILL');
  await proxy.close();
  await h?.close();
});

/** `count` GETs of `route`, `perSecond` of them a second (load generation, not a wait for a condition). */
async function hammer(address: string, route: string, count: number, perSecond: number): Promise<number[]> {
  const statuses: Promise<number>[] = [];
  const startedAt = Date.now();
  for (let i = 0; i < count; i += 1) {
    statuses.push(fetch(`${address}${route}`).then(async (r) => (await r.arrayBuffer(), r.status)));
    // On an absolute schedule, so timer granularity does not lower the rate.
    await sleep(Math.max(0, startedAt + ((i + 1) * 1000) / perSecond - Date.now()));
  }
  return Promise.all(statuses);
}

it('/readyz at 200 requests a second adds no queries to Postgres: it answers from checks probed in the background', async () => {
  const ticker = uniqueId('KX-READY').toUpperCase();
  await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
  // Nothing else of the leader's touches Postgres in the test's time: no flush, no map refresh.
  service = spawnService({ ...h.env, DATABASE_URL: proxy.url(h.env.DATABASE_URL), FLUSH_INTERVAL_MS: '600000' });
  const address = await service.address();
  await waitFor(async () => (await fetch(`${address}/readyz`)).status === 200, { timeoutMs: 10_000, message: 'the leader Ready' });

  const before = counter.queries;
  const startedAt = Date.now();
  const statuses = await hammer(address, '/readyz', 400, 200);
  const seconds = (Date.now() - startedAt) / 1000;
  const added = counter.queries - before;

  expect(statuses.every((s) => s === 200)).toBe(true);
  // The background probe runs about once a second; per-request probing would have added 400.
  expect(added).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
  process.stdout.write(`/readyz: ${statuses.length} requests in ${seconds.toFixed(1)} s, ${added} Postgres queries\n`);
});
