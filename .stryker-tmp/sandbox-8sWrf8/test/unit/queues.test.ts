// @ts-nocheck
import { LatestByGame } from '../../src/prices/latest-by-game';
import type { GamePrices } from '../../src/prices/types';
import { delayToNextSlot } from '../../src/pipeline/flush-schedule';
import { PublishLoop } from '../../src/pipeline/publish-loop';
import { waitFor } from '../helpers/wait';

const state = (gameId: string, buy: number, t: number): GamePrices => ({
  gameId,
  slug: `slug-${gameId}`,
  awayTeam: { kalshiBuyPrice: buy, kalshiSellPrice: buy - 1 },
  homeTeam: { kalshiBuyPrice: 100 - buy + 1, kalshiSellPrice: 100 - buy },
  ticker: `T-${gameId}`,
  tickTimeMs: t,
  updatedAtMs: t,
});

describe('LatestByGame', () => {
  it('keeps one entry per game, the latest', () => {
    const queue = new LatestByGame();
    queue.put(state('a', 40, 1));
    queue.put(state('a', 41, 2));
    queue.put(state('b', 50, 3));
    expect(queue.size).toBe(2);
    const batch = queue.drain();
    expect(batch.map((p) => [p.gameId, p.awayTeam.kalshiBuyPrice])).toEqual([['a', 41], ['b', 50]]);
    expect(queue.size).toBe(0);
  });

  it('puts a failed batch back under newer entries', () => {
    const queue = new LatestByGame();
    queue.put(state('a', 40, 1));
    queue.put(state('b', 50, 1));
    const failed = queue.drain();
    queue.put(state('a', 45, 2)); // arrived while the batch was in flight
    queue.requeue(failed);
    const again = queue.drain();
    expect(again.find((p) => p.gameId === 'a')?.awayTeam.kalshiBuyPrice).toBe(45);
    expect(again.find((p) => p.gameId === 'b')?.awayTeam.kalshiBuyPrice).toBe(50);
  });
});

describe('delayToNextSlot', () => {
  it('aims at wall-clock times ≡ offset (mod interval)', () => {
    expect(delayToNextSlot(10_000, 5000, 2500)).toBe(2500);
    expect(delayToNextSlot(12_499, 5000, 2500)).toBe(1);
    expect(delayToNextSlot(12_500, 5000, 2500)).toBe(5000);
    expect(delayToNextSlot(13_000, 5000, 2500)).toBe(4500);
    expect(delayToNextSlot(13_000, 5000, 0)).toBe(2000);
  });
});

describe('PublishLoop', () => {
  it('coalesces a game\'s ticks within the window into one publish of the latest state', async () => {
    const queue = new LatestByGame();
    const batches: GamePrices[][] = [];
    const loop = new PublishLoop({ queue, intervalMs: 30, publish: async (b) => void batches.push([...b]), onFailure: () => undefined });
    loop.start();
    for (let i = 0; i < 10; i += 1) {
      queue.put(state('a', 40 + i, i));
      loop.notifyQueued();
    }
    await waitFor(() => batches.length === 1);
    expect(batches[0]?.map((p) => p.awayTeam.kalshiBuyPrice)).toEqual([49]);
    loop.stop();
  });

  it('retries a failed publish, keeping newer entries', async () => {
    const queue = new LatestByGame();
    const published: number[] = [];
    let failures = 0;
    const loop = new PublishLoop({
      queue,
      intervalMs: 0,
      retryDelayMs: () => 5,
      publish: async (batch) => {
        if (failures < 2) {
          failures += 1;
          throw new Error('redis down');
        }
        for (const p of batch) published.push(p.awayTeam.kalshiBuyPrice as number);
      },
      onFailure: () => undefined,
    });
    loop.start();
    queue.put(state('a', 40, 1));
    loop.notifyQueued();
    await waitFor(() => published.length > 0);
    expect(published).toEqual([40]);
    loop.stop();
  });
});
