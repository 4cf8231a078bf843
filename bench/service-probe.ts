/**
 * Preloaded into the service child by the memory scenario (`node --expose-gc -r build/bench/service-probe.js
 * dist/main.js`): answers `{ probe }` messages on the IPC channel with the process's memory, after a full GC
 * when asked. It adds no timer and no work to the service, and does not keep the process alive.
 */
import { getHeapStatistics } from 'node:v8';

interface ProbeRequest {
  probe: number;
  gc?: boolean;
}

if (typeof process.send === 'function') {
  process.on('message', (message: ProbeRequest) => {
    if (typeof message?.probe !== 'number') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (message.gc === true && gc !== undefined) gc();
    const usage = process.memoryUsage();
    const heap = getHeapStatistics();
    process.send?.({
      probe: message.probe,
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      heapTotal: usage.heapTotal,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      totalHeapSize: heap.total_heap_size,
      gcDone: message.gc === true && gc !== undefined,
    });
  });
  process.channel?.unref();
}
