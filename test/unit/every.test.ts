import { every } from '../../src/timing/every';

describe('every()', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs at once, then every ms after the run settled, never overlapping, until the signal aborts', async () => {
    const controller = new AbortController();
    let running = 0;
    let maxRunning = 0;
    const starts: number[] = [];
    const loop = every(100, controller.signal, async () => {
      starts.push(Date.now());
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 250)); // longer than the period
      running -= 1;
    });
    const t0 = Date.now();
    await jest.advanceTimersByTimeAsync(1000);
    controller.abort();
    await jest.advanceTimersByTimeAsync(250);
    await loop;
    expect(maxRunning).toBe(1);
    expect(starts.map((t) => t - t0)).toEqual([0, 350, 700]);
  });

  it('waits first with runFirst: false, reads a changing period, survives a throwing fn, and ends while waiting', async () => {
    const controller = new AbortController();
    const starts: number[] = [];
    let period = 100;
    const loop = every(() => period, controller.signal, () => {
      starts.push(Date.now());
      period = 300;
      throw new Error('fn owns its errors');
    }, { runFirst: false });
    const t0 = Date.now();
    await jest.advanceTimersByTimeAsync(450);
    expect(starts.map((t) => t - t0)).toEqual([100, 400]);
    controller.abort();
    await loop; // resolves without another timer firing
  });
});
