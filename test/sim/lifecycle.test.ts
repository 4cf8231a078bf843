import { once } from 'node:events';
import { authHeaders, nextEvent, simulators, TestClient } from './helpers';

const MARKETS = [
  { ticker: 'A', yesBid: 0.45, yesAsk: 0.47 },
  { ticker: 'B', yesBid: 0.01, yesAsk: 0.02 },
  { ticker: 'C', yesBid: 0.98, yesAsk: 0.99 },
];

/** Resolves after the simulator has skipped `rounds` ping rounds because it is stalled. */
async function stalledRounds(sim: Parameters<typeof nextEvent>[0], rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await nextEvent(sim, 'heartbeat', (info) => (info as { stalled: boolean }).stalled);
}

describe('simulator lifecycle and fault switches', () => {
  const sims = simulators();

  it('sends Ping frames with body "heartbeat" every pingIntervalMs', async () => {
    const sim = await sims.start({ pingIntervalMs: 25 });
    const client = await sims.connect(sim);
    await client.pingCount(3);
    expect(client.pings.slice(0, 3).map((p) => p.toString())).toEqual(['heartbeat', 'heartbeat', 'heartbeat']);
    expect(sim.stats.pingRounds).toBeGreaterThanOrEqual(3);
  });

  it('sends no pings, data or pongs while stalled, keeps the socket open, and resumes after', async () => {
    const sim = await sims.start({ pingIntervalMs: 20 });
    sim.addMarkets(MARKETS);
    const client = await sims.connect(sim);
    client.send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: ['A'] } });
    await client.next();
    await client.pingCount(1);

    sim.setStalled(true);
    await stalledRounds(sim, 2); // frames already in flight arrive meanwhile
    const pingsBefore = client.pings.length;
    let pongs = 0;
    client.ws.on('pong', () => pongs++);
    client.ws.ping('are you there');
    sim.setQuote('A', { yesBid: 0.3 });
    sim.sendRaw('garbage');
    await stalledRounds(sim, 3);
    expect(client.pings.length).toBe(pingsBefore);
    expect(pongs).toBe(0);
    expect(client.pending()).toEqual([]);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(sim.stats.connectionsOpen).toBe(1);

    sim.setStalled(false);
    await client.pingCount(pingsBefore + 1);
    // The tick sent while stalled is lost, not queued: the next frame is the reply to this command.
    client.send({ id: 2, cmd: 'list_subscriptions' });
    expect(await client.next()).toEqual({ id: 2, type: 'ok', msg: [{ channel: 'ticker', sid: 1 }] });
  });

  it('dropConnections terminates every client (1006) and reports the disconnects', async () => {
    const sim = await sims.start();
    const first = await sims.connect(sim);
    const second = await sims.connect(sim);
    const disconnected = nextEvent(sim, 'disconnect', (id) => id === 2);
    sim.dropConnections();
    expect((await first.closed).code).toBe(1006);
    expect((await second.closed).code).toBe(1006);
    await disconnected;
    expect(sim.stats.connectionsOpen).toBe(0);
    expect(sim.subscribedTickers().size).toBe(0);
  });

  it('dropConnections(code) closes with that code', async () => {
    const sim = await sims.start();
    const client = await sims.connect(sim);
    expect(() => sim.dropConnections(1005)).toThrow(RangeError);
    sim.dropConnections(4000);
    expect((await client.closed).code).toBe(4000);
  });

  it('counts concurrent, total and rejected connections', async () => {
    const sim = await sims.start();
    const clients = [await sims.connect(sim), await sims.connect(sim), await sims.connect(sim)];
    const gone = nextEvent(sim, 'disconnect', (id) => id === 1);
    clients[0]?.close();
    await gone;
    await sims.connect(sim);
    sim.setRejectHandshake(403);
    await expect(TestClient.connect(sim.wsUrl, authHeaders())).rejects.toMatchObject({ status: 403 });
    expect(sim.stats).toMatchObject({ connectionsOpen: 3, maxConcurrentConnections: 3, authenticatedTotal: 4, rejectedHandshakes: 1 });
  });

  it('sendRaw reaches every client as text or binary', async () => {
    const sim = await sims.start();
    const a = await sims.connect(sim);
    const b = await sims.connect(sim);
    sim.sendRaw('{"type":"ticker","sid":1,"msg":');
    sim.sendRaw(Buffer.from([0xde, 0xad]), { binary: true });
    expect(await a.next()).toEqual({ raw: '{"type":"ticker","sid":1,"msg":', binary: false });
    expect(await a.next()).toMatchObject({ binary: true });
    expect(await b.next()).toEqual({ raw: '{"type":"ticker","sid":1,"msg":', binary: false });
  });

  it('random walk streams valid quotes on its own, and tick() moves markets on demand', async () => {
    const sim = await sims.start({ randomWalkIntervalMs: 10 });
    sim.addMarkets(MARKETS);
    const client = await sims.connect(sim);
    client.send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'] } });
    await client.next();
    for (let i = 0; i < 5; i++) {
      const tick = await client.next();
      const msg = tick.msg as Record<string, string>;
      expect(msg.yes_bid_dollars).toMatch(/^0\.\d{4}$/);
      expect(msg.yes_ask_dollars).toMatch(/^0\.\d{4}$/);
      const bid = Number(msg.yes_bid_dollars);
      const ask = Number(msg.yes_ask_dollars);
      expect(bid).toBeGreaterThan(0);
      expect(ask).toBeGreaterThan(bid);
      expect(ask).toBeLessThan(1);
    }
    expect(sim.tick(2)).toBe(2);
  });

  it('close() terminates clients, stops listening and is idempotent', async () => {
    const sim = await sims.start({ pingIntervalMs: 10 });
    const client = await sims.connect(sim);
    const url = sim.wsUrl;
    await Promise.all([sim.close(), sim.close()]);
    expect((await client.closed).code).toBe(1006);
    await expect(TestClient.connect(url, authHeaders())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await sim.close();
    await expect(sim.start()).rejects.toThrow(/after close/);
  });

  it('answers a client Ping with a Pong when not stalled', async () => {
    const sim = await sims.start();
    const client = await sims.connect(sim);
    const pong = once(client.ws, 'pong');
    client.ws.ping('x');
    expect(((await pong)[0] as Buffer | undefined)?.toString()).toBe('x');
  });
});
