import pino from 'pino';
import type { Lease } from '../../src/leader/lease';
import { Leadership } from '../../src/leader/leadership';

const TTL = 3000;
const STEP_DOWN = (TTL * 2) / 3;

function fakeLock() {
  let term = 0;
  return {
    owner: 'me:0001',
    tryAcquire: jest.fn<Promise<number | undefined>, []>(() => Promise.resolve((term += 1))),
    renew: jest.fn<Promise<boolean>, []>(() => Promise.resolve(true)),
    release: jest.fn<Promise<boolean>, []>(() => Promise.resolve(true)),
  };
}

function leadership(lock: ReturnType<typeof fakeLock>, now?: () => number) {
  const events: string[] = [];
  const leases: Lease[] = [];
  const l = new Leadership({
    lock,
    ttlMs: TTL,
    retryMs: 100,
    log: pino({ level: 'silent' }),
    onElected: (lease) => {
      leases.push(lease);
      events.push(`elected ${lease.term}`);
    },
    onDeposed: (reason) => {
      events.push(`deposed: ${reason}`);
      return Promise.resolve();
    },
    now,
  });
  return { l, events, leases };
}

/** A promise that never settles until its resolve is called: a renewal in flight. */
function pending<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Leadership', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('leads on taking the lock, renews every ttl/3 and steps down at once when the lock has another owner', async () => {
    const lock = fakeLock();
    const { l, events, leases } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['elected 1']);
    expect(l.holdsLock()).toBe(true);
    expect(l.term).toBe(1);
    expect(leases[0]).toMatchObject({ term: 1, lockValue: 'me:0001' });
    expect(leases[0].valid()).toBe(true);
    await jest.advanceTimersByTimeAsync(TTL / 3);
    expect(lock.renew).toHaveBeenCalledTimes(1);
    lock.renew.mockResolvedValue(false);
    await jest.advanceTimersByTimeAsync(TTL / 3);
    expect(events).toEqual(['elected 1', 'deposed: the leader lock belongs to another replica']);
    expect(l.role).toBe('standby');
    expect(l.holdsLock()).toBe(false);
    expect(l.term).toBeUndefined();
    expect(leases[0].valid()).toBe(false);
    await l.release(Date.now() + 1000);
  });

  it('steps down when no renewal succeeded for 2/3 of the ttl, and no longer claims the lock before that', async () => {
    const lock = fakeLock();
    const { l, events } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    lock.renew.mockRejectedValue(new Error('Redis unreachable'));
    await jest.advanceTimersByTimeAsync(STEP_DOWN - 1);
    expect(l.role).toBe('leader');
    await jest.advanceTimersByTimeAsync(2);
    expect(events[1]).toMatch(/^deposed: no lock renewal for \d+ ms/);
    await l.release(Date.now() + 1000);
  });

  it('the lease is valid while the last renewal is younger than 2/3 of the ttl, measured from when the renewal was sent', async () => {
    const lock = fakeLock();
    const { l, leases } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    const lease = leases[0];
    // The renewal at ttl/3 hangs: the lease lapses at 2/3 ttl after the acquisition, not later.
    const hung = pending<boolean>();
    lock.renew.mockReturnValueOnce(hung.promise);
    await jest.advanceTimersByTimeAsync(STEP_DOWN - 1);
    expect(lease.valid()).toBe(true);
    await jest.advanceTimersByTimeAsync(1);
    expect(lease.valid()).toBe(false);
    // The renewal answers late: the lock was ours when it was sent (at ttl/3), so the lease counts from then.
    hung.resolve(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(lease.valid()).toBe(true);
    await jest.advanceTimersByTimeAsync(STEP_DOWN - TTL / 3 - 1);
    expect(lease.valid()).toBe(true);
    await l.release(Date.now() + 1000);
    expect(lease.valid()).toBe(false);
  });

  it('a wall-clock jump changes nothing: the lease is measured on the monotonic clock', async () => {
    const lock = fakeLock();
    const { l, leases } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    jest.setSystemTime(Date.now() + 3_600_000);
    expect(leases[0].valid()).toBe(true);
    jest.setSystemTime(Date.now() - 7_200_000);
    expect(leases[0].valid()).toBe(true);
    await l.release(Date.now() + 1000);
  });

  it('a process frozen past its lock finds its lease invalid on waking, before any timer or renewal has run', async () => {
    let monotonic = 0;
    const lock = fakeLock();
    const { l, leases } = leadership(lock, () => monotonic);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(leases[0].valid()).toBe(true);
    // SIGSTOP for two ttls: the monotonic clock moved, no timer ran.
    monotonic += 2 * TTL;
    expect(leases[0].valid()).toBe(false);
    expect(lock.renew).not.toHaveBeenCalled();
    await l.release(Date.now() + 1000);
  });

  it('a lease belongs to its election: after a step-down and a new election only the new one is valid, with a newer term', async () => {
    const lock = fakeLock();
    const { l, leases } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    lock.renew.mockResolvedValueOnce(false);
    await jest.advanceTimersByTimeAsync(TTL / 3);
    await jest.advanceTimersByTimeAsync(100);
    expect(leases.map((lease) => lease.term)).toEqual([1, 2]);
    expect(leases[0].valid()).toBe(false);
    expect(leases[1].valid()).toBe(true);
    await l.release(Date.now() + 1000);
  });

  it('releases a lock whose SET answered after stop() began, and does not lead with it', async () => {
    const lock = fakeLock();
    const answer = pending<number | undefined>();
    lock.tryAcquire.mockImplementation(() => answer.promise);
    const { l, events } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    const stopped = l.stop();
    answer.resolve(7);
    await stopped;
    expect(lock.release).toHaveBeenCalledTimes(1);
    expect(events).toEqual([]);
    expect(l.role).toBe('standby');
  });

  it('keeps renewing after stop() until release(): the last flush is written under a live lock, then the lock is deleted', async () => {
    const lock = fakeLock();
    const { l, leases } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    await l.stop();
    expect(lock.release).not.toHaveBeenCalled();
    expect(l.holdsLock()).toBe(true);
    // A last flush that takes three ttls: the lease never lapses.
    for (let i = 0; i < 9; i += 1) {
      await jest.advanceTimersByTimeAsync(TTL / 3);
      expect(leases[0].valid()).toBe(true);
    }
    expect(lock.renew).toHaveBeenCalledTimes(9);
    await l.release(Date.now() + 1000);
    expect(lock.release).toHaveBeenCalledTimes(1);
    expect(leases[0].valid()).toBe(false);
    await jest.advanceTimersByTimeAsync(3 * TTL);
    expect(lock.renew).toHaveBeenCalledTimes(9);
    expect(lock.tryAcquire).toHaveBeenCalledTimes(1);
  });

  it('after stop(), a renewal that finds another owner ends the lease and nothing takes the lock again', async () => {
    const lock = fakeLock();
    const { l, events, leases } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    await l.stop();
    lock.renew.mockResolvedValue(false);
    await jest.advanceTimersByTimeAsync(TTL / 3);
    expect(events).toEqual(['elected 1', 'deposed: the leader lock belongs to another replica']);
    expect(leases[0].valid()).toBe(false);
    await jest.advanceTimersByTimeAsync(10 * TTL);
    expect(lock.tryAcquire).toHaveBeenCalledTimes(1);
    await l.release(Date.now() + 1000);
    expect(lock.release).not.toHaveBeenCalled();
  });

  it('a standby stopped never takes the lock', async () => {
    const lock = fakeLock();
    lock.tryAcquire.mockResolvedValue(undefined);
    const { l } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    await l.stop();
    lock.tryAcquire.mockResolvedValue(9);
    await jest.advanceTimersByTimeAsync(1000);
    expect(lock.tryAcquire).toHaveBeenCalledTimes(1);
    expect(l.role).toBe('standby');
  });
});
