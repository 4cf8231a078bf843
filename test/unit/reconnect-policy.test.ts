import { ReconnectPolicy } from '../../src/kalshi/reconnect-policy';
import { Complaints } from '../../src/observability/complaints';
import pino from 'pino';

describe('ReconnectPolicy', () => {
  it('backs off 1, 2, 5, 10, 30, 60 s, then 60 s forever', () => {
    const policy = new ReconnectPolicy({ random: () => 0.5 });
    const delays = Array.from({ length: 8 }, () => policy.nextDelay(0));
    expect(delays).toEqual([1000, 2000, 5000, 10000, 30000, 60000, 60000, 60000]);
  });

  it('jitters each delay within ±20 %', () => {
    expect(new ReconnectPolicy({ random: () => 0 }).nextDelay(0)).toBe(800);
    expect(new ReconnectPolicy({ random: () => 1 }).nextDelay(0)).toBe(1200);
  });

  it('resets only after a connection stayed healthy for 30 s', () => {
    const policy = new ReconnectPolicy({ random: () => 0.5 });
    policy.nextDelay(0);
    policy.nextDelay(0);
    expect(policy.nextDelay(29_000)).toBe(5000); // flapping: keeps backing off
    expect(policy.nextDelay(30_000)).toBe(1000);
  });

  it('waits the longest delay after a rejected handshake', () => {
    expect(new ReconnectPolicy({ random: () => 0.5 }).longestDelay()).toBe(60000);
  });
});

describe('Complaints', () => {
  it('counts every complaint but logs one line per reason per window, with the count', () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const counts = new Map<string, number>();
    let now = 0;
    const complaints = new Complaints(log, { inc: ({ reason }) => void counts.set(reason, (counts.get(reason) ?? 0) + 1) }, 10_000, () => now);
    for (let i = 0; i < 1000; i += 1) complaints.report('invalid_json');
    complaints.report('unknown_type');
    now = 10_000;
    complaints.report('invalid_json');
    expect(counts.get('invalid_json')).toBe(1001);
    expect(lines.map((l) => [l.reason, l.droppedSinceLastLog])).toEqual([
      ['invalid_json', 0],
      ['unknown_type', 0],
      ['invalid_json', 999],
    ]);
  });
});
