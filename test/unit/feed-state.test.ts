import { FeedStateMachine, type FeedFacts, type FeedHealth } from '../../src/feed-health/feed-state';

const POLL = 1000;
const T0 = 1_800_000_000_000;

const facts = (over: Partial<FeedFacts> = {}): FeedFacts => ({
  mapLoaded: true,
  mappedMarkets: 10,
  subscribedAll: true,
  socketEnabled: true,
  marketsInFallback: 0,
  lastRestSuccessAtMs: undefined,
  exchange: undefined,
  ...over,
});

const machine = (initial: FeedHealth = { state: 'down', since: T0 - 5000, reason: 'leader starting' }) =>
  new FeedStateMachine({ pollIntervalMs: POLL, initial });

describe('FeedStateMachine', () => {
  test('live while every mapped market is subscribed, or nothing is mapped; `since` is when the state began', () => {
    const m = machine();
    expect(m.next(facts(), T0)).toEqual({ state: 'live', since: T0, reason: 'socket serving 10 markets' });
    expect(m.next(facts(), T0 + 500)?.since).toBe(T0);
    const empty = machine();
    expect(empty.next(facts({ mappedMarkets: 0, subscribedAll: false }), T0)).toMatchObject({ state: 'live', reason: 'nothing mapped' });
    // REST-only with nothing mapped is live too (nothing to serve).
    expect(machine().next(facts({ mappedMarkets: 0, socketEnabled: false }), T0)?.state).toBe('live');
  });

  test('with no previous state and nothing known yet there is nothing to say (nothing is written); then the first verdict', () => {
    const m = new FeedStateMachine({ pollIntervalMs: POLL });
    expect(m.next(facts({ mapLoaded: false, mappedMarkets: 0 }), T0)).toBeUndefined();
    expect(m.current).toBeUndefined();
    expect(m.next(facts(), T0 + 300)).toEqual({ state: 'live', since: T0 + 300, reason: 'socket serving 10 markets' });
  });

  test('before the ticker map is loaded nothing is known: the initial state stands', () => {
    const m = machine({ state: 'rest', since: T0 - 9000, reason: 'from the previous leader' });
    expect(m.next(facts({ mapLoaded: false, mappedMarkets: 0 }), T0)).toEqual({ state: 'rest', since: T0 - 9000, reason: 'from the previous leader' });
  });

  test('between the socket loss and the fallback start the state stays what it was; then rest, with how long the socket is down', () => {
    const m = machine();
    m.next(facts(), T0);
    // Socket lost at T0+1000; the fallback starts FALLBACK_AFTER_MS later.
    expect(m.next(facts({ subscribedAll: false }), T0 + 1000)).toMatchObject({ state: 'live', since: T0 });
    expect(m.next(facts({ subscribedAll: false }), T0 + 10_999)).toMatchObject({ state: 'live', since: T0 });
    const rest = m.next(facts({ subscribedAll: false, marketsInFallback: 10 }), T0 + 13_000);
    expect(rest).toEqual({ state: 'rest', since: T0 + 13_000, reason: 'socket down 12 s, REST serving' });
    // Reads succeed: rest stays, since unchanged.
    expect(m.next(facts({ subscribedAll: false, marketsInFallback: 10, lastRestSuccessAtMs: T0 + 13_500 }), T0 + 15_000)).toMatchObject({
      state: 'rest',
      since: T0 + 13_000,
    });
    // The socket serves again: live at once.
    expect(m.next(facts({ lastRestSuccessAtMs: T0 + 13_500 }), T0 + 16_000)).toEqual({ state: 'live', since: T0 + 16_000, reason: 'socket serving 10 markets' });
  });

  test('a fallback serving some markets is rest, and says how many', () => {
    const m = machine();
    expect(m.next(facts({ subscribedAll: false, marketsInFallback: 3, lastRestSuccessAtMs: T0 }), T0)?.reason).toBe('socket down 0 s, REST serving for 3 of 10 markets');
  });

  test('down once REST has read nothing for two poll periods, counted from the fallback start; rest again after a read', () => {
    const m = machine();
    m.next(facts(), T0);
    const lost = facts({ subscribedAll: false, marketsInFallback: 10, lastRestSuccessAtMs: T0 - 60_000 });
    // An old success (before the fallback) does not make a fallback that just started down.
    expect(m.next(lost, T0 + 100)?.state).toBe('rest');
    expect(m.next(lost, T0 + 100 + 2 * POLL)?.state).toBe('rest');
    const down = m.next(lost, T0 + 101 + 2 * POLL);
    expect(down).toEqual({ state: 'down', since: T0 + 101 + 2 * POLL, reason: 'socket down 2 s, no REST read for 62 s' });
    expect(m.next({ ...lost, lastRestSuccessAtMs: T0 + 3000 }, T0 + 3100)).toMatchObject({ state: 'rest', since: T0 + 3100 });
    // Silent again for two periods after that read.
    expect(m.next({ ...lost, lastRestSuccessAtMs: T0 + 3000 }, T0 + 3000 + 2 * POLL + 1)?.state).toBe('down');
  });

  test('down with no REST read at all says so', () => {
    const m = machine();
    m.next(facts({ subscribedAll: false, marketsInFallback: 10 }), T0);
    expect(m.next(facts({ subscribedAll: false, marketsInFallback: 10 }), T0 + 2 * POLL + 1)?.reason).toBe('socket down 2 s, no REST read yet');
  });

  test('REST-only mode (no socket) is rest while REST reads, down when it stops', () => {
    const m = machine();
    const restOnly = facts({ socketEnabled: false, subscribedAll: false, marketsInFallback: 10, lastRestSuccessAtMs: T0 });
    expect(m.next(restOnly, T0 + 10)).toMatchObject({ state: 'rest', reason: 'socket disabled (KALSHI_WS_ENABLED=false), REST serving' });
    expect(m.next(restOnly, T0 + 10 + 2 * POLL)?.state).toBe('rest');
    expect(m.next(restOnly, T0 + 11 + 2 * POLL)?.state).toBe('down');
  });

  test('exchange_paused outranks everything and names the resume time; the state after the pause is derived afresh', () => {
    const m = machine();
    m.next(facts(), T0);
    const paused = { paused: true, resumesAt: '2026-12-10T10:00:00Z' };
    expect(m.next(facts({ exchange: paused }), T0 + 1000)).toEqual({
      state: 'exchange_paused',
      since: T0 + 1000,
      reason: 'maintenance, resumes 2026-12-10T10:00:00Z',
    });
    // A socket outage during the pause, even with REST failing: still paused.
    expect(m.next(facts({ exchange: paused, subscribedAll: false, marketsInFallback: 10 }), T0 + 60_000)?.state).toBe('exchange_paused');
    expect(m.next(facts({ exchange: { paused: true } }), T0 + 61_000)).toMatchObject({ state: 'exchange_paused', since: T0 + 1000, reason: 'trading paused by Kalshi' });
    // Trading again while the fallback serves: rest.
    expect(m.next(facts({ exchange: { paused: false }, subscribedAll: false, marketsInFallback: 10, lastRestSuccessAtMs: T0 + 61_500 }), T0 + 62_000)).toMatchObject({
      state: 'rest',
      since: T0 + 62_000,
    });
    // Even before the map is known, a pause is a pause.
    expect(machine().next(facts({ mapLoaded: false, exchange: paused }), T0)?.state).toBe('exchange_paused');
  });
});
