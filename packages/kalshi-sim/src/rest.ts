import type { ServerResponse } from 'node:http';
import type { Exchange, RestMarket } from './exchange';
import type { SimExchangeStatus } from './exchange-status';
import { sendError, sendJson } from './http-util';

export const MAX_TICKERS_PER_REQUEST = 100;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/**
 * Kalshi's public market data: `GET /markets?tickers=A,B&limit=&cursor=` and `GET /markets/{ticker}`; and
 * `GET /exchange/status` when the simulator's exchange status is given.
 * `path` is relative to /trade-api/v2.
 */
export function handleRest(exchange: Exchange, method: string, path: string, query: URLSearchParams, res: ServerResponse, status?: SimExchangeStatus): void {
  if (path === '/exchange/status' && status !== undefined) {
    if (method !== 'GET') return sendError(res, 405, 'method_not_allowed', 'method not allowed');
    const [code, text] = status.answer();
    res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  if (path === '/markets' || path === '/markets/') {
    if (method !== 'GET') return sendError(res, 405, 'method_not_allowed', 'method not allowed');
    return listMarkets(exchange, query, res);
  }
  const single = /^\/markets\/([^/]+)$/.exec(path);
  if (single?.[1] !== undefined) {
    if (method !== 'GET') return sendError(res, 405, 'method_not_allowed', 'method not allowed');
    let ticker: string;
    try {
      ticker = decodeURIComponent(single[1]);
    } catch {
      return sendError(res, 400, 'bad_request', 'bad ticker');
    }
    const market = exchange.rest(ticker);
    if (market === undefined) return sendError(res, 404, 'not_found', 'market not found');
    return sendJson(res, 200, { market });
  }
  sendError(res, 404, 'not_found', 'not found');
}

function listMarkets(exchange: Exchange, query: URLSearchParams, res: ServerResponse): void {
  const limitText = query.get('limit');
  const limit = limitText === null || limitText === '' ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return sendError(res, 400, 'bad_request', `limit must be an integer between 1 and ${MAX_LIMIT}`);
  }
  const cursorText = query.get('cursor') ?? '';
  const offset = cursorText === '' ? 0 : Number(cursorText);
  if (!Number.isInteger(offset) || offset < 0) return sendError(res, 400, 'bad_request', 'bad cursor');

  const tickersText = query.get('tickers');
  let tickers: string[];
  if (tickersText === null || tickersText.trim() === '') {
    tickers = exchange.tickers();
  } else {
    tickers = [...new Set(tickersText.split(',').map((t) => t.trim()).filter((t) => t !== ''))];
    if (tickers.length > MAX_TICKERS_PER_REQUEST) {
      return sendError(res, 400, 'bad_request', `at most ${MAX_TICKERS_PER_REQUEST} tickers per request`);
    }
  }
  const markets: RestMarket[] = [];
  for (const ticker of tickers) {
    const market = exchange.rest(ticker);
    if (market !== undefined) markets.push(market);
  }
  const page = markets.slice(offset, offset + limit);
  const next = offset + limit < markets.length ? String(offset + limit) : '';
  sendJson(res, 200, { markets: page, cursor: next });
}
