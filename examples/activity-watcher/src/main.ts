import { startActivityWatcher } from './server';

/**
 * Runs the reference activity watcher on its own: `npm run build && node examples/activity-watcher/dist/main.js`.
 * REDIS_URL (default redis://127.0.0.1:6379), REDIS_KEY_PREFIX (default ''), PORT (default 8090), HOST (default 127.0.0.1).
 */
async function main(): Promise<void> {
  const watcher = await startActivityWatcher({
    redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    keyPrefix: process.env.REDIS_KEY_PREFIX ?? '',
    port: Number(process.env.PORT || 8090),
    host: process.env.HOST || '127.0.0.1',
  });
  process.stdout.write(`activity watcher: live page on ${watcher.url}\n`);
  const stop = (): void => {
    void watcher.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`activity watcher failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
