import type { Logger } from 'pino';
import { every } from '../timing/every';

export interface HeapMonitorOptions {
  log: Logger;
  warnAtMb?: number;
  shedAtMb?: number;
  everyMs?: number;
  /** Drops caches the service can live without; called at most once per check above the shed line. */
  shed(): void;
  heapUsedBytes?: () => number;
}

/** Warns at 400 MB of heap and sheds non-essential caches at 600 MB (docs/ARCHITECTURE.md "Memory"). */
export class HeapMonitor {
  private readonly heapUsed: () => number;

  constructor(private readonly options: HeapMonitorOptions) {
    this.heapUsed = options.heapUsedBytes ?? (() => process.memoryUsage().heapUsed);
  }

  /** Checks every `everyMs` (30 s) until `signal` aborts. */
  run(signal: AbortSignal): Promise<void> {
    return every(this.options.everyMs ?? 30_000, signal, () => this.check(), { runFirst: false });
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
