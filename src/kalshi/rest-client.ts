import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { makeQuote } from '../prices/quote';
import type { MarketQuote } from '../prices/types';

export const TICKERS_PER_REQUEST = 100;

const RestMarketSchema = Type.Object({
  ticker: Type.String({ minLength: 1 }),
  status: Type.Optional(Type.String()),
  yes_bid_dollars: Type.Optional(Type.String()),
  yes_ask_dollars: Type.Optional(Type.String()),
  yes_bid: Type.Optional(Type.Number()),
  yes_ask: Type.Optional(Type.Number()),
});
const MarketsPageSchema = Type.Object({
  markets: Type.Array(Type.Unknown()),
  cursor: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
const checkMarket = TypeCompiler.Compile(RestMarketSchema);
const checkPage = TypeCompiler.Compile(MarketsPageSchema);

export type RestMarket = Static<typeof RestMarketSchema>;

export class RestRateLimitedError extends Error {
  constructor() {
    super('Kalshi REST answered 429 Too Many Requests');
  }
}

export interface RestReadResult {
  quotes: MarketQuote[];
  /** Markets in a body that were malformed, by reason. */
  invalid: Array<{ reason: string; ticker?: string }>;
}

/** Kalshi's public market data over REST (KALSHI.md): at most 100 tickers a request, paged by cursor. */
export class KalshiRestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Current quotes of these markets, stamped with the receive time. Throws on HTTP failure or a bad body. */
  async readQuotes(tickers: readonly string[]): Promise<RestReadResult> {
    const result: RestReadResult = { quotes: [], invalid: [] };
    for (const group of chunk(tickers, TICKERS_PER_REQUEST)) {
      let cursor = '';
      do {
        const page = await this.getPage(group, cursor);
        const receivedAt = Date.now();
        for (const market of page.markets) {
          if (!checkMarket.Check(market)) {
            result.invalid.push({ reason: 'bad_rest_market' });
            continue;
          }
          const quote = makeQuote(
            market.ticker,
            { dollars: market.yes_bid_dollars, cents: market.yes_bid },
            { dollars: market.yes_ask_dollars, cents: market.yes_ask },
            receivedAt,
            'rest',
          );
          if (typeof quote === 'string') result.invalid.push({ reason: quote, ticker: market.ticker });
          else result.quotes.push(quote);
        }
        cursor = page.cursor ?? '';
      } while (cursor !== '');
    }
    return result;
  }

  private async getPage(tickers: readonly string[], cursor: string): Promise<Static<typeof MarketsPageSchema>> {
    const url = new URL(`${this.baseUrl}/markets`);
    url.searchParams.set('tickers', tickers.join(','));
    url.searchParams.set('limit', '1000');
    if (cursor !== '') url.searchParams.set('cursor', cursor);
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), headers: { accept: 'application/json' } });
    if (response.status === 429) {
      await response.body?.cancel();
      throw new RestRateLimitedError();
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`Kalshi REST ${url.pathname} answered ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new RestBodyError('not JSON');
    }
    if (!checkPage.Check(body)) throw new RestBodyError('not a markets page');
    return body;
  }
}

export class RestBodyError extends Error {
  constructor(what: string) {
    super(`Kalshi REST body is ${what}`);
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
