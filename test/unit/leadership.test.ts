import pino from 'pino';
import { Leadership } from '../../src/leader/leadership';

const TTL = 3000;

function fakeLock() {
  return {
    owner: 'me:0001',
    tryAcquire: jest.fn<Promise<boolean>, []>(() => Promise.resolve(true)),
    renew: jest.fn<Promise<boolean>, []>(() => Promise.resolve(true)),
    release: jest.fn<Promise<boolean>, []>(() => Promise.resolve(true)),
  };
}

function leadership(lock: ReturnType<typeof fakeLock>) {
  const events: string[] = [];
  const l = new Leadership({
    lock,
    ttlMs: TTL,
    retryMs: 100,
    log: pino({ level: 'silent' }),
    onElected: () => void events.push('elected'),
    onDeposed: (reason) => {
      events.push(`deposed: ${reason}`);
      return Promise.resolve();
    },
  });
  return { l, events };
}

describe('Leadership', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('leads on taking the lock, renews every ttl/3 and steps down at once when the lock has another owner', async () => {
    const lock = fakeLock();
    const { l, events } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['elected']);
    expect(l.holdsLock()).toBe(true);
    await jest.advanceTimersByTimeAsync(TTL / 3);
    expect(lock.renew).toHaveBeenCalledTimes(1);
    lock.renew.mockResolvedValue(false);
    await jest.advanceTimersByTimeAsync(TTL / 3);
    expect(events).toEqual(['elected', 'deposed: the leader lock belongs to another replica']);
    expect(l.role).toBe('standby');
    expect(l.holdsLock()).toBe(false);
    await l.stop();
  });

  it('steps down when no renewal succeeded for 2/3 of the ttl, and no longer claims the lock before that', async () => {
    const lock = fakeLock();
    const { l, events } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    lock.renew.mockRejectedValue(new Error('Redis unreachable'));
    await jest.advanceTimersByTimeAsync((TTL * 2) / 3 - 1);
    expect(l.role).toBe('leader');
    await jest.advanceTimersByTimeAsync(2);
    expect(events[1]).toMatch(/^deposed: no lock renewal for \d+ ms/);
    await l.stop();
  });

  it('releases a lock whose SET answered after stop() began, and does not lead with it', async () => {
    const lock = fakeLock();
    let answer: (ok: boolean) => void = () => undefined;
    lock.tryAcquire.mockImplementation(() => new Promise<boolean>((resolve) => (answer = resolve)));
    const { l, events } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    const stopped = l.stop();
    answer(true);
    await stopped;
    expect(lock.release).toHaveBeenCalledTimes(1);
    expect(events).toEqual([]);
    expect(l.role).toBe('standby');
  });

  it('keeps a lock it held before stop(): the caller releases it after its last writes', async () => {
    const lock = fakeLock();
    const { l } = leadership(lock);
    l.start();
    await jest.advanceTimersByTimeAsync(0);
    await l.stop();
    expect(lock.release).not.toHaveBeenCalled();
    expect(l.holdsLock()).toBe(true);
  });
});
