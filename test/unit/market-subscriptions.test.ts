import pino from 'pino';
import { CommandError, type CommandReply } from '../../src/kalshi/connection';
import { MarketSubscriptions } from '../../src/kalshi/market-subscriptions';

/**
 * One connection's ticker subscription against an in-memory Kalshi (the rules of docs/KALSHI.md: one subscription a
 * connection, `ok` replies carry the whole list, 26 when full, 27 when commands come too fast), on fake timers.
 */
class FakeKalshi {
  readonly id = 1;
  state: 'open' | 'waiting' = 'open';
  held = new Set<string>();
  sid: number | undefined;
  /** Markets Kalshi leaves out of its `ok` list (unlisted, settled). */
  refuse = new Set<string>();
  capacity = Infinity;
  deleteRefusal: number | undefined;
  failNext: number[] = [];
  recycled: string[] = [];
  sent: { at: number; cmd: string; action?: string; tickers: string[] }[] = [];
  private nextId = 1;

  command(cmd: string, params: Record<string, unknown> = {}): Promise<CommandReply> {
    const tickers = (params.market_tickers as string[] | undefined) ?? [];
    const action = params.action as string | undefined;
    this.sent.push({ at: Date.now(), cmd, action, tickers: [...tickers] });
    const id = this.nextId++;
    const code = this.failNext.shift();
    if (code !== undefined) return Promise.reject(new CommandError(code, `injected ${code}`));
    const ok = (): CommandReply => ({ id, type: 'ok', sid: this.sid, msg: { market_tickers: [...this.held] } });
    if (cmd === 'subscribe') {
      const listed = tickers.filter((t) => !this.refuse.has(t));
      if (listed.length > this.capacity) return Promise.reject(new CommandError(26, 'market limit'));
      this.sid = 7;
      for (const t of listed) this.held.add(t);
      return Promise.resolve({ id, type: 'subscribed', msg: { channel: 'ticker', sid: this.sid } });
    }
    if (action === 'add_markets') {
      const listed = tickers.filter((t) => !this.refuse.has(t) && !this.held.has(t));
      if (this.held.size + listed.length > this.capacity) return Promise.reject(new CommandError(26, 'market limit'));
      for (const t of listed) this.held.add(t);
      return Promise.resolve(ok());
    }
    if (action === 'delete_markets') {
      if (this.deleteRefusal !== undefined) return Promise.reject(new CommandError(this.deleteRefusal, 'refused'));
      for (const t of tickers) this.held.delete(t);
      return Promise.resolve(ok());
    }
    this.sid = undefined;
    this.held.clear();
    return Promise.resolve({ id, type: 'unsubscribed', sid: 7 } as unknown as CommandReply);
  }

  recycle(reason: string): void {
    this.recycled.push(reason);
  }
}

const tickers = (n: number, prefix = 'KX') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

function setup(kalshi = new FakeKalshi()) {
  const full: { spilled: string[]; capacity: number }[] = [];
  const refused: string[] = [];
  const added: string[][] = [];
  const subs = new MarketSubscriptions({
    connection: kalshi,
    log: pino({ level: 'silent' }),
    retry: { firstMs: 4000, maxMs: 300_000 },
    onFull: (spilled, capacity) => full.push({ spilled, capacity }),
    onRefused: (ticker) => refused.push(ticker),
    onMarketsAdded: (list) => added.push(list),
  });
  // The feed runs each connection's loop under the shard's signal; the tests do the same and abort it at the end.
  const lifetime = new AbortController();
  void subs.run(lifetime.signal);
  return { kalshi, subs, full, refused, added, stop: () => lifetime.abort() };
}

beforeEach(() => jest.useFakeTimers({ now: 1_800_000_000_000 }));
afterEach(() => jest.useRealTimers());

describe('MarketSubscriptions', () => {
  it('subscribes in commands of at most 50 tickers, 100 ms apart, one subscription grown with add_markets', async () => {
    const { kalshi, subs, stop } = setup();
    subs.add(tickers(120));
    await jest.advanceTimersByTimeAsync(2000);
    const commands = kalshi.sent.map((c) => [c.cmd, c.action ?? '', c.tickers.length]);
    expect(commands.slice(0, 3)).toEqual([
      ['subscribe', '', 50],
      ['update_subscription', 'add_markets', 50],
      ['update_subscription', 'add_markets', 20],
    ]);
    expect(kalshi.sent.every((c) => c.tickers.length <= 50)).toBe(true);
    const gaps = kalshi.sent.slice(1).map((c, i) => c.at - kalshi.sent[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
    expect(subs.converged).toBe(true);
    expect(subs.subscribedCount).toBe(120);
    expect(tickers(120).every((t) => subs.serves(t))).toBe(true);
    stop();
  });

  it('error 10 read before the subscribe reply was handled (both frames in one read): subscribes again', async () => {
    const kalshi = new FakeKalshi();
    const { subs, stop } = setup(kalshi);
    // Kalshi answers `subscribed` (sid 7) and ends that subscription with error 10 in the same read: the error is
    // handled before the continuation of the command that learns sid 7.
    const command = kalshi.command.bind(kalshi);
    let raced = false;
    kalshi.command = (cmd, params) => {
      const reply = command(cmd, params);
      if (cmd === 'subscribe' && !raced) {
        raced = true;
        kalshi.held.clear();
        subs.onAsyncError({ type: 'error', sid: 7, seq: 2, msg: { code: 10, msg: 'channel error' } });
      }
      return reply;
    };
    subs.add(tickers(3));
    await jest.advanceTimersByTimeAsync(2000);
    expect(kalshi.sent.filter((c) => c.cmd === 'subscribe')).toHaveLength(2);
    expect(kalshi.held.size).toBe(3);
    expect(subs.subscribedCount).toBe(3);
    stop();
  });

  it('error 26: keeps what the connection holds and hands the rest to another connection', async () => {
    const kalshi = new FakeKalshi();
    kalshi.capacity = 60;
    const { subs, full, stop } = setup(kalshi);
    subs.add(tickers(120));
    await jest.advanceTimersByTimeAsync(2000);
    expect(full).toHaveLength(1);
    expect(full[0].capacity).toBe(50);
    expect(full[0].spilled).toEqual(tickers(120).slice(50));
    expect(subs.capacity).toBe(50);
    expect(subs.desired.size).toBe(50);
    expect(subs.converged).toBe(true);
    expect(subs.serves('KX-0')).toBe(true);
    expect(subs.serves('KX-119')).toBe(false);
    stop();
  });

  it('a refused market alone is retried with backoff (first within 5 s), counted as refused, not as subscribed', async () => {
    const kalshi = new FakeKalshi();
    kalshi.refuse.add('KX-BAD');
    const { subs, refused, stop } = setup(kalshi);
    subs.add(['KX-0', 'KX-1']);
    await jest.advanceTimersByTimeAsync(1000);
    subs.add(['KX-BAD', 'KX-2']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(refused).toEqual(['KX-BAD']);
    expect(subs.refusedCount).toBe(1);
    expect(subs.subscribedCount).toBe(3);
    expect(subs.converged).toBe(true);
    // Refused and awaiting its retry: the socket does all it can for it.
    expect(subs.serves('KX-BAD')).toBe(true);
    const tries = () => kalshi.sent.filter((c) => c.tickers.includes('KX-BAD')).map((c) => c.at);
    expect(tries()).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(5000);
    expect(tries()).toHaveLength(2);
    expect(tries()[1] - tries()[0]).toBeLessThanOrEqual(5000);
    // Each retry carries that market alone, so a market still refused never takes good ones down with it.
    expect(kalshi.sent.filter((c) => c.tickers.includes('KX-BAD')).at(-1)?.tickers).toEqual(['KX-BAD']);
    // Kalshi takes it at last.
    kalshi.refuse.clear();
    await jest.advanceTimersByTimeAsync(20_000);
    expect(subs.refusedCount).toBe(0);
    expect(subs.subscribedCount).toBe(4);
    stop();
  });

  it('a refused delete_markets is sent once more, then the market is forgotten locally (never a loop)', async () => {
    const { kalshi, subs, stop } = setup();
    subs.add(['KX-0', 'KX-1', 'KX-2']);
    await jest.advanceTimersByTimeAsync(1000);
    kalshi.deleteRefusal = 12;
    subs.remove(['KX-1']);
    await jest.advanceTimersByTimeAsync(60_000);
    const deletes = kalshi.sent.filter((c) => c.action === 'delete_markets');
    expect(deletes.map((c) => c.tickers)).toEqual([['KX-1'], ['KX-1']]);
    expect(subs.converged).toBe(true);
    expect(subs.subscribedCount).toBe(2);
    stop();
  });

  it('error 27 backs off; the market waiting for it is not served until Kalshi takes it', async () => {
    const { kalshi, subs, stop } = setup();
    subs.add(['KX-0']);
    await jest.advanceTimersByTimeAsync(1000);
    kalshi.failNext.push(27, 27);
    subs.add(['KX-LATE']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(subs.serves('KX-0')).toBe(true);
    expect(subs.serves('KX-LATE')).toBe(false);
    expect(subs.converged).toBe(false);
    const attempts = () => kalshi.sent.filter((c) => c.tickers.includes('KX-LATE')).map((c) => c.at);
    await jest.advanceTimersByTimeAsync(10_000);
    const at = attempts();
    expect(at).toHaveLength(3);
    // 2 s, then 4 s: backing off, not hammering.
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(2000);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(4000);
    expect(subs.serves('KX-LATE')).toBe(true);
    stop();
  });

  it('a closed socket serves nothing; the next open subscribes everything again', async () => {
    const { kalshi, subs, stop } = setup();
    subs.add(['KX-0', 'KX-1']);
    await jest.advanceTimersByTimeAsync(1000);
    kalshi.state = 'waiting';
    subs.onClose();
    expect(subs.serves('KX-0')).toBe(false);
    kalshi.held.clear();
    kalshi.sid = undefined;
    kalshi.state = 'open';
    const before = kalshi.sent.length;
    subs.onOpen();
    await jest.advanceTimersByTimeAsync(1000);
    expect(kalshi.sent[before]).toMatchObject({ cmd: 'subscribe', tickers: ['KX-0', 'KX-1'] });
    expect(subs.serves('KX-0')).toBe(true);
    stop();
  });
});
