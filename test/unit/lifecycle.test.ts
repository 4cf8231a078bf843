import { eventLabel, lifecycleUpdate, restStatusUpdate, SeqTracker } from '../../src/kalshi/lifecycle';
import { isInvalid, parseServerFrame } from '../../src/kalshi/protocol';

const NOW_MS = 1_790_546_400_000;
const T = 'KXNBAGAME-26OCT20OKCSAS-SAS';

/** A frame as text through the full parser, then its status. */
function read(msg: Record<string, unknown>, envelope: Record<string, unknown> = { sid: 13, seq: 4 }) {
  const frame = parseServerFrame(JSON.stringify({ type: 'market_lifecycle_v2', ...envelope, msg }));
  if (isInvalid(frame)) return frame;
  if (frame.type !== 'market_lifecycle_v2') throw new Error(`parsed as ${frame.type}`);
  return lifecycleUpdate(frame, NOW_MS);
}
const update = (status: string, result: string | null = null) => ({ update: { ticker: T, status, result, source: 'lifecycle' } });

describe('market_lifecycle_v2 frames as market statuses', () => {
  it('created (not yet activated) is scheduled; activated is open', () => {
    expect(read({ market_ticker: T, event_type: 'created', open_ts: 1790540000, close_ts: 1790550000 })).toEqual(update('scheduled'));
    expect(read({ market_ticker: T, event_type: 'activated' })).toEqual(update('open'));
  });

  it('deactivated is paused; in the versions with is_deactivated, false is open again and a non-boolean is refused', () => {
    expect(read({ market_ticker: T, event_type: 'deactivated' })).toEqual(update('paused'));
    expect(read({ market_ticker: T, event_type: 'deactivated', is_deactivated: true })).toEqual(update('paused'));
    expect(read({ market_ticker: T, event_type: 'deactivated', is_deactivated: false })).toEqual(update('open'));
    expect(read({ market_ticker: T, event_type: 'deactivated', is_deactivated: 'false' })).toEqual({ invalid: 'bad_lifecycle_event', detail: expect.any(String) });
  });

  it('close_date_updated is closed once its close_ts (seconds) has passed, and says nothing of a later close', () => {
    expect(read({ market_ticker: T, event_type: 'close_date_updated', close_ts: NOW_MS / 1000 })).toEqual(update('closed'));
    expect(read({ market_ticker: T, event_type: 'close_date_updated', close_ts: NOW_MS / 1000 - 60 })).toEqual(update('closed'));
    expect(read({ market_ticker: T, event_type: 'close_date_updated', close_ts: NOW_MS / 1000 + 3600 })).toEqual({ ignored: true });
    // Milliseconds by mistake would be a close far in the future: not closed.
    expect(read({ market_ticker: T, event_type: 'close_date_updated', close_ts: NOW_MS })).toEqual({ ignored: true });
    expect(read({ market_ticker: T, event_type: 'close_date_updated' })).toEqual({ invalid: 'bad_lifecycle_event', detail: expect.any(String) });
    expect(read({ market_ticker: T, event_type: 'close_date_updated', close_ts: '1790546400' })).toEqual({ invalid: 'bad_lifecycle_event', detail: expect.any(String) });
  });

  it('determined carries its result (yes, no, or empty for a void); anything else is refused', () => {
    const determined = { market_ticker: T, event_type: 'determined', settlement_value: '1.00', determination_ts: 1790546400 };
    expect(read({ ...determined, result: 'yes' })).toEqual(update('determined', 'yes'));
    expect(read({ ...determined, result: 'no', settlement_value: '0.00' })).toEqual(update('determined', 'no'));
    expect(read({ ...determined, result: '' })).toEqual(update('determined', null));
    expect(read({ ...determined, result: 'maybe' })).toEqual({ invalid: 'bad_lifecycle_event', detail: expect.any(String) });
  });

  it('settled is determined (its result, if it carries none, is what the determination said)', () => {
    expect(read({ market_ticker: T, event_type: 'settled', settled_ts: 1790550000 })).toEqual(update('determined', null));
    expect(read({ market_ticker: T, event_type: 'settled', result: 'no' })).toEqual(update('determined', 'no'));
  });

  it('ignores price_level_structure_updated, metadata_updated and event types not known yet', () => {
    for (const eventType of ['price_level_structure_updated', 'metadata_updated', 'something_new']) {
      expect(read({ market_ticker: T, event_type: eventType, additional_metadata: { title: 'x' } })).toEqual({ ignored: true });
    }
    expect(eventLabel('metadata_updated')).toBe('metadata_updated');
    expect(eventLabel('something_new')).toBe('other');
  });

  it('requires only market_ticker and event_type (and a sid); seq may be left out; extra fields of any version pass', () => {
    expect(read({ market_ticker: T, event_type: 'activated', market_id: 'x', additional_metadata: {} }, { sid: 1 })).toEqual(update('open'));
    for (const msg of [{ event_type: 'activated' }, { market_ticker: T }, { market_ticker: '', event_type: 'activated' }, { market_ticker: 7, event_type: 'activated' }]) {
      expect(read(msg)).toEqual({ invalid: 'invalid_schema', type: 'market_lifecycle_v2' });
    }
    expect(read({ market_ticker: T, event_type: 'activated' }, { seq: 4 })).toEqual({ invalid: 'invalid_schema', type: 'market_lifecycle_v2' });
    expect(read({ market_ticker: T, event_type: 'activated' }, { sid: 13, seq: -1 })).toEqual({ invalid: 'invalid_schema', type: 'market_lifecycle_v2' });
  });

  it('parses the event lifecycle and fee messages of the same channel (for their seq), with or without one', () => {
    const event = parseServerFrame(JSON.stringify({ type: 'event_lifecycle', sid: 13, seq: 5, msg: { event_ticker: 'KXNBAGAME-26OCT20OKCSAS', title: 't' } }));
    expect(event).toMatchObject({ type: 'event_lifecycle', sid: 13, seq: 5 });
    const fee = parseServerFrame(JSON.stringify({ type: 'event_fee_update', sid: 13, msg: { event_ticker: 'E', fee_type_override: 'quadratic' } }));
    expect(fee).toMatchObject({ type: 'event_fee_update', sid: 13 });
  });
});

describe('REST status and result as market statuses', () => {
  it('maps every REST status, reading result only for the determined family', () => {
    const cases: [string, unknown, string, string | null][] = [
      ['initialized', '', 'scheduled', null],
      ['active', '', 'open', null],
      ['inactive', '', 'paused', null],
      ['closed', 'yes', 'closed', null],
      ['determined', 'yes', 'determined', 'yes'],
      ['disputed', 'no', 'determined', 'no'],
      ['amended', 'yes', 'determined', 'yes'],
      ['finalized', 'no', 'determined', 'no'],
      ['settled', 'yes', 'determined', 'yes'],
      ['determined', '', 'determined', null],
      ['finalized', undefined, 'determined', null],
      ['determined', 'void?', 'determined', null],
    ];
    for (const [status, result, mapped, mappedResult] of cases) {
      expect([status, result, restStatusUpdate(T, status, result)]).toEqual([status, result, { ticker: T, status: mapped, result: mappedResult, source: 'rest' }]);
    }
    expect(restStatusUpdate(T, 'open', '')).toBeUndefined();
  });
});

describe('SeqTracker', () => {
  it('expects 1 first after a subscribe (or the reply\'s seq + 1), then tells next, gap and stale apart', () => {
    const seq = new SeqTracker();
    expect(seq.observe(1)).toBe('next');
    expect(seq.observe(2)).toBe('next');
    expect(seq.observe(4)).toBe('gap');
    expect(seq.observe(5)).toBe('next');
    expect(seq.observe(5)).toBe('stale');
    expect(seq.observe(3)).toBe('stale');
    expect(seq.observe(6)).toBe('next');
    seq.reset();
    expect(seq.observe(2)).toBe('gap'); // the first frame of a new subscription was lost
    seq.reset(7);
    expect(seq.observe(8)).toBe('next');
  });
});
