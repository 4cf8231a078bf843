/**
 * `npm run sim`: the Kalshi simulator as its own process.
 *
 * SIM_PUBLIC_KEY_PATH (required) PEM public key (RSA or Ed25519) the handshake signatures are checked against
 * SIM_KEY_ID          (required) expected KALSHI-ACCESS-KEY
 * SIM_PORT            default 9090
 * SIM_HOST            default 127.0.0.1
 * SIM_MARKETS         comma-separated tickers, random initial quotes
 * SIM_MARKETS_FILE    JSON array of SimMarket ({ticker, yesBid, yesAsk, status?}, prices in dollars)
 * SIM_RANDOM_WALK_MS  default 1000 (0 = off)
 * SIM_PING_INTERVAL_MS default 10000
 * SIM_MAX_MARKETS_PER_SUBSCRIPTION default unlimited (beyond it: error 26)
 * SIM_UNLISTED_TICKERS accept (default) | error11 | error14: what a ticker the exchange does not list gets
 * SIM_ERRORS_WITHOUT_ID default false; true: subscription errors carry sid and seq instead of id
 * SIM_TICKER_SHAPE     mixed (default) | full | lean | clock: optional fields of ticker frames
 * SIM_PRICE_DECIMALS   4 (default) or 6
 * SIM_SENDING_TS       second (default, as Kalshi's docs show) | after | none: where every frame carries sending_ts_ms
 */
import { readFileSync } from 'node:fs';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import { SimMarketsSchema } from './control';
import { randomSimMarket, type SimMarket } from './exchange';
import { SENDING_TS_MODES, TICKER_SHAPES, UNLISTED_MODES, type SendingTsMode, type TickerShape, type UnlistedMode } from './protocol';
import { KalshiSimulator, type SimulatorOptions } from './simulator';

class ConfigError extends Error {}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${text}"`);
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  if (!(allowed as readonly string[]).includes(text)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${text}"`);
  return text as T;
}

function readPublicKey(path: string | undefined): KeyObject {
  if (path === undefined || path.trim() === '') {
    throw new ConfigError('SIM_PUBLIC_KEY_PATH is required: the path of the PEM public key whose private half signs the handshake');
  }
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`SIM_PUBLIC_KEY_PATH: cannot read ${path}: ${(error as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new ConfigError(`SIM_PUBLIC_KEY_PATH: ${path} does not hold a PEM RSA or Ed25519 key`);
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(`SIM_PUBLIC_KEY_PATH: needs an RSA or Ed25519 key (as Kalshi accepts); ${path} holds a ${key.asymmetricKeyType ?? 'non-asymmetric'} key`);
  }
  return key;
}

function readMarkets(env: NodeJS.ProcessEnv): SimMarket[] {
  const file = env.SIM_MARKETS_FILE;
  if (file !== undefined && file.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`SIM_MARKETS_FILE: cannot read JSON from ${file}: ${(error as Error).message}`);
    }
    if (!Value.Check(SimMarketsSchema, parsed)) {
      const first = Value.Errors(SimMarketsSchema, parsed).First();
      throw new ConfigError(`SIM_MARKETS_FILE: ${file} is not an array of {ticker, yesBid, yesAsk, status?}: ${first?.path ?? ''} ${first?.message ?? ''}`);
    }
    return parsed;
  }
  const list = env.SIM_MARKETS ?? '';
  const tickers = [...new Set(list.split(',').map((t) => t.trim()).filter((t) => t !== ''))];
  return tickers.map((ticker) => randomSimMarket(ticker));
}

export function optionsFromEnv(env: NodeJS.ProcessEnv): { options: SimulatorOptions; markets: SimMarket[] } {
  const problems: string[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };
  const publicKey = attempt(() => readPublicKey(env.SIM_PUBLIC_KEY_PATH));
  const keyId = attempt(() => {
    const id = env.SIM_KEY_ID;
    if (id === undefined || id.trim() === '') throw new ConfigError('SIM_KEY_ID is required: the key id clients send as KALSHI-ACCESS-KEY');
    return id.trim();
  });
  const port = attempt(() => intFromEnv(env, 'SIM_PORT', 9090, 0));
  const randomWalkIntervalMs = attempt(() => intFromEnv(env, 'SIM_RANDOM_WALK_MS', 1000, 0));
  const pingIntervalMs = attempt(() => intFromEnv(env, 'SIM_PING_INTERVAL_MS', 10_000, 0));
  const maxMarkets = attempt(() => intFromEnv(env, 'SIM_MAX_MARKETS_PER_SUBSCRIPTION', 0, 0));
  const markets = attempt(() => readMarkets(env));
  const unlisted = attempt(() => oneOf<UnlistedMode>(env, 'SIM_UNLISTED_TICKERS', UNLISTED_MODES, 'accept'));
  const withoutId = attempt(() => oneOf(env, 'SIM_ERRORS_WITHOUT_ID', ['true', 'false'], 'false'));
  const shape = attempt(() => oneOf<TickerShape>(env, 'SIM_TICKER_SHAPE', TICKER_SHAPES, 'mixed'));
  const decimals = attempt(() => oneOf(env, 'SIM_PRICE_DECIMALS', ['4', '6'], '4'));
  const sendingTs = attempt(() => oneOf<SendingTsMode>(env, 'SIM_SENDING_TS', SENDING_TS_MODES, 'second'));
  if (problems.length > 0 || publicKey === undefined || keyId === undefined || markets === undefined) {
    throw new ConfigError(problems.join('\n'));
  }
  const options: SimulatorOptions = {
    publicKey,
    keyId,
    port: port ?? 9090,
    host: env.SIM_HOST?.trim() || '127.0.0.1',
    randomWalkIntervalMs: randomWalkIntervalMs ?? 1000,
    pingIntervalMs: pingIntervalMs ?? 10_000,
    ...(maxMarkets === undefined || maxMarkets === 0 ? {} : { maxMarketsPerSubscription: maxMarkets }),
    unlistedTickers: unlisted ?? 'accept',
    subscriptionErrorsWithoutId: withoutId === 'true',
    tickerShape: shape ?? 'mixed',
    priceDecimals: decimals === '6' ? 6 : 4,
    sendingTs: sendingTs ?? 'second',
  };
  return { options, markets };
}

async function main(): Promise<void> {
  let config: ReturnType<typeof optionsFromEnv>;
  try {
    config = optionsFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kalshi-sim: bad configuration\n${error.message}\n`);
    process.exit(1);
  }
  const sim = new KalshiSimulator(config.options);
  sim.addMarkets(config.markets);
  await sim.start();
  process.stdout.write(
    `kalshi-sim listening ws=${sim.wsUrl} rest=${sim.restUrl} control=${sim.controlUrl} markets=${config.markets.length}\n`,
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`kalshi-sim: ${signal}, closing\n`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`kalshi-sim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
