// @ts-nocheck
import pino from 'pino';
import { DriftTracker, findDrift } from '../../src/kalshi/reconcile';
import { HeapMonitor } from '../../src/observability/heap-monitor';
import type { MarketQuote } from '../../src/prices/types';

const q = (ticker: string, yesBid: number | null, yesAsk: number | null, exchangeTimeMs = 0): MarketQuote => ({ ticker, yesBid, yesAsk, exchangeTimeMs, source: 'rest' });

describe('findDrift', () => {
  it('finds markets whose REST quote differs from the book, or that the book never got', () => {
    const book = new Map([
      ['A', q('A', 4000, 4200, 100)],
      ['B', q('B', 5000, 5200, 100)],
    ]);
    const drift = findDrift([q('A', 4000, 4200), q('B', 5100, 5200), q('C', 100, 200)], (t) => book.get(t), 1000);
    expect(drift.map((d) => d.ticker)).toEqual(['B', 'C']);
  });

  it('leaves out a market the socket updated after the REST read began (a race, not a dead subscription)', () => {
    const book = new Map([['A', q('A', 4000, 4200, 1500)]]);
    expect(findDrift([q('A', 3000, 3200)], (t) => book.get(t), 1000)).toEqual([]);
  });
});

describe('DriftTracker', () => {
  it('names the markets corrected twice in a row', () => {
    const tracker = new DriftTracker();
    expect(tracker.record(['A', 'B'])).toEqual([]);
    expect(tracker.record(['B', 'C'])).toEqual(['B']);
    expect(tracker.record(['C'])).toEqual(['C']);
    expect(tracker.record(['C'])).toEqual([]); // counting starts over after a resubscription
  });
});

describe('HeapMonitor', () => {
  it('warns at 400 MB and sheds at 600 MB', () => {
    let heap = 100 * 1024 * 1024;
    let shed = 0;
    const monitor = new HeapMonitor({ log: pino({ level: 'silent' }), shed: () => void (shed += 1), heapUsedBytes: () => heap });
    expect(monitor.check()).toBe('ok');
    heap = 450 * 1024 * 1024;
    expect(monitor.check()).toBe('warn');
    heap = 650 * 1024 * 1024;
    expect(monitor.check()).toBe('shed');
    expect(shed).toBe(1);
  });
});
