// @ts-nocheck
import type { Logger } from 'pino';

export interface HeapMonitorOptions {
  log: Logger;
  warnAtMb?: number;
  shedAtMb?: number;
  everyMs?: number;
  /** Drops caches the service can live without; called at most once per check above the shed line. */
  shed(): void;
  heapUsedBytes?: () => number;
}

/** Warns at 400 MB of heap and sheds non-essential caches at 600 MB (DESIGN.md "Memory"). */
export class HeapMonitor {
  private timer: NodeJS.Timeout | undefined;
  private readonly heapUsed: () => number;

  constructor(private readonly options: HeapMonitorOptions) {
    this.heapUsed = options.heapUsedBytes ?? (() => process.memoryUsage().heapUsed);
  }

  start(): void {
    this.timer ??= setInterval(() => this.check(), this.options.everyMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  check(): 'ok' | 'warn' | 'shed' {
    const heapMb = this.heapUsed() / 1024 / 1024;
    if (heapMb >= (this.options.shedAtMb ?? 600)) {
      this.options.log.error({ heapMb: Math.round(heapMb) }, 'heap above the shed line: dropping non-essential caches');
      this.options.shed();
      return 'shed';
    }
    if (heapMb >= (this.options.warnAtMb ?? 400)) {
      this.options.log.warn({ heapMb: Math.round(heapMb) }, 'heap usage high');
      return 'warn';
    }
    return 'ok';
  }
}
