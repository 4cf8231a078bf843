import pino from 'pino';
import type { Lease } from '../../src/leader/lease';
import { FlushLoop } from '../../src/pipeline/flush-loop';
import { LatestByGame } from '../../src/prices/latest-by-game';
import type { GamePrices } from '../../src/prices/types';
import { LeaseNotValidError, WriteGate } from '../../src/term/write-gate';
import { gameState } from '../helpers/game-state';

/** The term's one way to the stores: every write checks the term is not deposed and the lease is valid. */
function setup() {
  let valid = true;
  const lease: Lease = { term: 7, lockValue: 'worker:abc', valid: () => valid };
  const deposed = new AbortController();
  const written: GamePrices[][] = [];
  const published: GamePrices[][] = [];
  const touched: string[][] = [];
  const terms: number[] = [];
  const requeued: string[] = [];
  const histogram = { observe: () => undefined };
  const gate = new WriteGate({
    lease,
    deposed: deposed.signal,
    postgres: {
      write: (batch, term) => {
        written.push([...batch]);
        terms.push(term);
        // A row named 'locked' is held by another writer: skipped and reported.
        const skipped = batch.filter((game) => game.gameId === 'locked');
        return Promise.resolve({ rowsWritten: batch.length - skipped.length, skipped, fenced: false, notObject: [] });
      },
    },
    skippedRows: { requeue: (games) => void requeued.push(...games.map((g) => g.gameId)) },
    complaints: { report: () => undefined },
    redis: {
      publish: (batch) => (published.push([...batch]), Promise.resolve({ published: batch.length, skippedStale: 0 })),
      touch: (ids) => (touched.push([...ids]), Promise.resolve({ rebuilt: 0 })),
    },
    metrics: { flushDuration: histogram, pricesPerFlush: histogram, tickToPublish: histogram } as never,
    log: pino({ level: 'silent' }),
  });
  return { gate, written, published, touched, deposed, terms, requeued, setValid: (v: boolean) => void (valid = v) };
}

const book = { gameIds: () => ['a'], current: () => undefined };

describe('WriteGate', () => {
  it('writes with the lease term as the fencing token and puts rows locked elsewhere back in the queue', async () => {
    const { gate, terms, requeued } = setup();
    await gate.write([gameState('a', 40, 1), gameState('locked', 40, 1)]);
    expect(terms).toEqual([7]);
    expect(requeued).toEqual(['locked']);
    expect(gate.lastFlush).toMatchObject({ rows: 1, games: 2 });
  });

  it('writes while the lease is valid; refuses (rejects) every kind of write while it is not', async () => {
    const { gate, written, published, touched, setValid } = setup();
    await gate.write([gameState('a', 40, 1)]);
    await gate.publish([gameState('a', 40, 1)]);
    await gate.keepAlive(book);
    expect([written.length, published.length, touched.length]).toEqual([1, 1, 1]);
    expect(gate.lastFlush).toMatchObject({ rows: 1, games: 1 });
    setValid(false);
    await expect(gate.write([gameState('a', 41, 2)])).rejects.toBeInstanceOf(LeaseNotValidError);
    await expect(gate.publish([gameState('a', 41, 2)])).rejects.toThrow(/lease of term 7 not valid/);
    await gate.keepAlive(book);
    expect([written.length, published.length, touched.length]).toEqual([1, 1, 1]);
  });

  it('a batch refused for an invalid lease stays queued and is written once the lease is valid again', async () => {
    jest.useFakeTimers({ now: 1_800_000_000_000 });
    try {
      const { gate, written, setValid } = setup();
      const queue = new LatestByGame();
      const failures: number[] = [];
      const loop = new FlushLoop({ queue, intervalMs: 1000, offsetMs: 0, maxQueueSize: 1000, store: gate, failures: { failed: (_e, n) => void failures.push(n) } });
      const run = new AbortController();
      void loop.run(run.signal);
      setValid(false);
      queue.put(gameState('a', 40, 1));
      await jest.advanceTimersByTimeAsync(1000);
      expect(written).toEqual([]);
      expect(failures).toEqual([1]);
      expect(queue.size).toBe(1);
      setValid(true);
      await jest.advanceTimersByTimeAsync(1000);
      expect(written.map((b) => b.map((p) => p.gameId))).toEqual([['a']]);
      expect(queue.size).toBe(0);
      run.abort();
    } finally {
      jest.useRealTimers();
    }
  });

  it('a deposed term writes nothing, and its batches are not wanted back', async () => {
    const { gate, written, published, touched, deposed } = setup();
    deposed.abort();
    await gate.write([gameState('a', 40, 1)]);
    await gate.publish([gameState('a', 40, 1)]);
    await gate.keepAlive(book);
    expect([written.length, published.length, touched.length]).toEqual([0, 0, 0]);
    expect(gate.open).toBe(false);
  });
});
