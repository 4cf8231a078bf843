import closeWithGrace from 'close-with-grace';
import { App } from './app';
import { loadConfig } from './config';
import { createLogger } from './observability/logger';
import { redactUrl } from './observability/redact';

/** Process entry: configuration, start, signals. */
async function main(): Promise<void> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`kalshi-ingestor: invalid configuration\n${result.problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  const { config } = result;
  const log = createLogger(config.logLevel, config.workerId);
  const app = new App({ config, log });

  closeWithGrace(
    {
      delay: config.shutdownTimeoutMs,
      logger: false,
      onSecondSignal: (signal) => {
        log.error({ signal, ...app.shutdownProgress() }, 'second signal: exiting at once with what did not finish');
      },
      onTimeout: (delay) => {
        log.error({ timeoutMs: delay, ...app.shutdownProgress() }, 'shutdown overran SHUTDOWN_TIMEOUT_MS: exiting at once with what did not finish');
      },
    },
    async ({ signal, err }) => {
      if (err !== undefined) log.fatal({ err }, 'unexpected error: shutting down');
      else log.info({ signal }, 'signal received');
      const { flushed } = await app.stop();
      // The last flush overran its share of SHUTDOWN_TIMEOUT_MS (already logged, lock released): exit 1.
      if (!flushed) process.exit(1);
    },
  );

  await app.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`kalshi-ingestor: failed to start: ${redactUrl((error as Error).stack ?? String(error))}\n`);
  process.exit(1);
});
