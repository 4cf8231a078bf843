import { halve, planNextCommand, retryDelayMs, type SubscriptionState } from '../../src/kalshi/subscription-plan';

const tickers = (n: number, prefix = 'M') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const state = (over: Partial<SubscriptionState>): SubscriptionState => ({
  desired: new Set(),
  sid: undefined,
  held: new Set(),
  unconfirmed: new Set(),
  refused: new Map(),
  probes: [],
  abandoned: new Set(),
  renew: new Set(),
  capacity: undefined,
  batchSize: 50,
  now: 1_000,
  ...over,
});

describe('planNextCommand', () => {
  it('subscribes at most 50 tickers with the first command of a connection', () => {
    expect(planNextCommand(state({ desired: new Set(tickers(120)) }))).toEqual({ kind: 'subscribe', tickers: tickers(50), purpose: 'new' });
  });

  it('grows the one subscription with add_markets asking for the snapshot, never a second subscribe', () => {
    const command = planNextCommand(state({ desired: new Set(tickers(60)), sid: 7, held: new Set(tickers(50)) }));
    expect(command).toEqual({ kind: 'add_markets', sid: 7, tickers: tickers(60).slice(50), snapshot: true, purpose: 'new' });
  });

  it('adds nothing beyond a learned capacity (the rest went to another connection)', () => {
    const full = state({ desired: new Set(tickers(60)), sid: 7, held: new Set(tickers(50)), capacity: 50 });
    expect(planNextCommand(full)).toBeUndefined();
    expect(planNextCommand({ ...full, capacity: 55 })).toMatchObject({ kind: 'add_markets', tickers: tickers(55).slice(50) });
  });

  it('removes before adding, with delete_markets, or unsubscribe when nothing held is wanted', () => {
    const held = new Set(['A', 'B']);
    expect(planNextCommand(state({ desired: new Set(['A', 'D']), sid: 1, held }))).toEqual({ kind: 'delete_markets', sid: 1, tickers: ['B'] });
    expect(planNextCommand(state({ desired: new Set(['D']), sid: 1, held }))).toEqual({ kind: 'unsubscribe', sid: 1 });
  });

  it('never asks again to delete a market it gave up on', () => {
    expect(planNextCommand(state({ desired: new Set(['A']), sid: 1, held: new Set(['A', 'B']), abandoned: new Set(['B']) }))).toBeUndefined();
  });

  it('renews a silent market by deleting it (it is then added again with a snapshot)', () => {
    const s = state({ desired: new Set(['A', 'B']), sid: 1, held: new Set(['A', 'B']), renew: new Set(['A']) });
    expect(planNextCommand(s)).toEqual({ kind: 'delete_markets', sid: 1, tickers: ['A'] });
    expect(planNextCommand({ ...s, held: new Set(['B']), renew: new Set() })).toMatchObject({ kind: 'add_markets', tickers: ['A'], snapshot: true });
  });

  it('tries each half of a narrowed command on its own before new markets', () => {
    const s = state({ desired: new Set([...tickers(4), 'N']), sid: 1, held: new Set(['M0']), probes: [['M0', 'M1'], ['M2', 'M3']] });
    expect(planNextCommand(s)).toEqual({ kind: 'add_markets', sid: 1, tickers: ['M1'], snapshot: true, purpose: 'probe' });
    expect(planNextCommand({ ...s, held: new Set(['M0', 'M1']) })).toMatchObject({ tickers: ['M2', 'M3'], purpose: 'probe' });
  });

  it('leaves a refused market alone until its retry is due, then tries it alone', () => {
    const s = state({ desired: new Set(['A', 'X']), sid: 1, held: new Set(['A']), refused: new Map([['X', 5_000]]) });
    expect(planNextCommand(s)).toBeUndefined();
    expect(planNextCommand({ ...s, now: 5_000 })).toEqual({ kind: 'add_markets', sid: 1, tickers: ['X'], snapshot: true, purpose: 'retry' });
  });

  it('retries refused markets after the new ones (a reconnect must not keep good markets waiting)', () => {
    const s = state({ desired: new Set(['A', 'X']), refused: new Map([['X', 0]]) });
    expect(planNextCommand(s)).toEqual({ kind: 'subscribe', tickers: ['A'], purpose: 'new' });
    expect(planNextCommand({ ...s, sid: 1, held: new Set(['A']) })).toMatchObject({ tickers: ['X'], purpose: 'retry' });
  });

  it('checks what a subscribe left unconfirmed with an add_markets that asks no snapshot', () => {
    const s = state({ desired: new Set(['A', 'B']), sid: 2, held: new Set(['A', 'B']), unconfirmed: new Set(['A', 'B']) });
    expect(planNextCommand(s)).toEqual({ kind: 'add_markets', sid: 2, tickers: ['A', 'B'], snapshot: false, purpose: 'verify' });
  });

  it('never sends an empty list (that would subscribe every market)', () => {
    expect(planNextCommand(state({}))).toBeUndefined();
    expect(planNextCommand(state({ sid: 3 }))).toBeUndefined();
  });
});

describe('halve and retryDelayMs', () => {
  it('halves a batch, the refused market ending alone after log2(n) steps', () => {
    expect(halve(tickers(5))).toEqual([tickers(3), tickers(5).slice(3)]);
    expect(halve(['A'])).toEqual([['A']]);
    let group = tickers(50);
    let steps = 0;
    while (group.length > 1) {
      group = halve(group).find((half) => half.includes('M37')) as string[];
      steps += 1;
    }
    expect(group).toEqual(['M37']);
    expect(steps).toBeLessThanOrEqual(6);
  });

  it('retries first within 5 s, doubling, never beyond 5 minutes', () => {
    expect(retryDelayMs(1, undefined, () => 0.999)).toBeLessThanOrEqual(5_000);
    expect(retryDelayMs(1, undefined, () => 0)).toBeGreaterThan(0);
    expect(retryDelayMs(2, undefined, () => 0.999)).toBeGreaterThan(retryDelayMs(1, undefined, () => 0.999));
    for (const attempts of [8, 9, 20, 1000]) expect(retryDelayMs(attempts, undefined, () => 0.999)).toBeLessThanOrEqual(300_000);
    expect(retryDelayMs(1000, undefined, () => 0.999)).toBeGreaterThan(200_000);
  });
});
