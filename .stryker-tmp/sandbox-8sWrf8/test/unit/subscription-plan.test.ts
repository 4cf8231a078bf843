// @ts-nocheck
import { planNextCommand, type SubscriptionState } from '../../src/kalshi/subscription-plan';

const tickers = (n: number, prefix = 'M') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const state = (over: Partial<SubscriptionState>): SubscriptionState => ({
  desired: new Set(),
  sids: new Map(),
  rejected: new Set(),
  sidCapacity: 500,
  batchSize: 50,
  ...over,
});

describe('planNextCommand', () => {
  it('subscribes at most 50 tickers a command', () => {
    const command = planNextCommand(state({ desired: new Set(tickers(120)) }));
    expect(command).toEqual({ kind: 'subscribe', tickers: tickers(50) });
  });

  it('adds to a subscription with room before opening another', () => {
    const command = planNextCommand(state({ desired: new Set(tickers(60)), sids: new Map([[7, new Set(tickers(50))]]) }));
    expect(command).toEqual({ kind: 'add_markets', sid: 7, tickers: tickers(60).slice(50) });
  });

  it('opens a new subscription when every one is full', () => {
    const command = planNextCommand(
      state({ desired: new Set(tickers(60)), sids: new Map([[7, new Set(tickers(50))]]), sidCapacity: 50 }),
    );
    expect(command).toEqual({ kind: 'subscribe', tickers: tickers(60).slice(50) });
  });

  it('removes before adding, with delete_markets or unsubscribe when nothing is left', () => {
    const sids = new Map([
      [1, new Set(['A', 'B'])],
      [2, new Set(['C'])],
    ]);
    expect(planNextCommand(state({ desired: new Set(['A', 'C', 'D']), sids }))).toEqual({ kind: 'delete_markets', sid: 1, tickers: ['B'] });
    expect(planNextCommand(state({ desired: new Set(['A', 'B', 'D']), sids }))).toEqual({ kind: 'unsubscribe', sid: 2 });
  });

  it('leaves markets Kalshi does not know alone, and is done when converged', () => {
    expect(planNextCommand(state({ desired: new Set(['A', 'X']), sids: new Map([[1, new Set(['A'])]]), rejected: new Set(['X']) }))).toBeUndefined();
  });

  it('never sends an empty list (that would subscribe every market)', () => {
    expect(planNextCommand(state({}))).toBeUndefined();
  });
});
