import { LatestByGame } from '../../src/prices/latest-by-game';
import { gameState } from '../helpers/game-state';
import { delayToNextSlot } from '../../src/pipeline/flush-schedule';

const state = gameState;

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

