/**
 * One waiter at a time, woken by `wake()`, by `ms` elapsing, or by the signal aborting; its timer and listener go
 * with it. A wake() with nobody waiting is kept for the next wait (no wake-up lost between two awaits).
 */
export class Wakeup {
  private resolve: (() => void) | undefined;
  private pending = false;

  wait(signal: AbortSignal, ms?: number): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.resolve === done) this.resolve = undefined;
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.resolve = done;
    });
  }

  wake(): void {
    if (this.resolve === undefined) this.pending = true;
    else this.resolve();
  }
}
