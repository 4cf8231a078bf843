import { LatestStates } from '../src/latest-states';
import { message } from './helpers';

describe('LatestStates', () => {
  it('accepts live messages in order, equal timestamps too, and refuses older ones', () => {
    const states = new LatestStates();
    expect(states.acceptLive(message('g', 50, 1000))).toBe(true);
    expect(states.acceptLive(message('g', 51, 1000))).toBe(true);
    expect(states.acceptLive(message('g', 52, 999))).toBe(false);
    expect(states.get('g')?.homeTeam.kalshiBuyPrice).toBe(51);
    expect(states.acceptLive(message('other', 10, 1))).toBe(true);
  });

  it('accepts a stored state when newer, or same time with other prices and nothing delivered since the read', () => {
    const states = new LatestStates();
    states.acceptLive(message('g', 50, 1000));
    const version = states.version('g');
    expect(states.acceptStored(message('g', 50, 1000), version)).toBe(false); // the same state
    expect(states.acceptStored(message('g', 49, 999), version)).toBe(false); // older
    expect(states.acceptStored(message('g', 60, 1000), version)).toBe(true); // same time, other prices
    expect(states.get('g')?.homeTeam.kalshiBuyPrice).toBe(60);
    expect(states.acceptStored(message('g', 70, 1001), 0)).toBe(true); // newer, whatever the version
  });

  it('refuses a same-time stored state when something was delivered for the game after the read began', () => {
    const states = new LatestStates();
    states.acceptLive(message('g', 50, 1000));
    const version = states.version('g');
    states.acceptLive(message('g', 55, 1000));
    expect(states.acceptStored(message('g', 50, 1000), version)).toBe(false);
    expect(states.get('g')?.homeTeam.kalshiBuyPrice).toBe(55);
  });

  it('forgets the least recently updated game beyond its bound', () => {
    const states = new LatestStates(2);
    states.acceptLive(message('a', 50, 1));
    states.acceptLive(message('b', 50, 1));
    states.acceptLive(message('a', 51, 2));
    states.acceptLive(message('c', 50, 1));
    expect(states.all().map((m) => m.gameId)).toEqual(['a', 'c']);
    expect(states.get('b')).toBeUndefined();
  });
});

describe('LatestStates and the game\'s status', () => {
  it('a same-time stored state with another status, result or draw repairs a missed one', () => {
    for (const change of [{ status: 'closed' }, { status: 'final', result: 'home' }, { draw: { kalshiBuyPrice: 26, kalshiSellPrice: 24 } }] as const) {
      const states = new LatestStates();
      states.acceptLive({ ...message('g', 50, 1000), status: 'open' });
      const version = states.version('g');
      expect(states.acceptStored({ ...message('g', 50, 1000), status: 'open' }, version)).toBe(false);
      expect(states.acceptStored({ ...message('g', 50, 1000), status: 'open', ...change }, version)).toBe(true);
    }
  });
});
