/** kalshi_games_by_status{status} and /status's gamesByStatus, read from the book at scrape (docs/CONTRACT.md "Metrics"). */
import { statusBody } from '../../src/app/status';
import { diffMarketMaps } from '../../src/mapping/market-map';
import { createMetrics } from '../../src/observability/metrics';
import { PricePipeline } from '../../src/pipeline/price-pipeline';
import type { MappedMarket } from '../../src/prices/game-book';
import { NO_TERM, type TermStatus } from '../../src/term/term-status';

const market = (gameId: string, side: 'home' | 'away' | 'draw'): MappedMarket => ({ ticker: `${gameId}-${side}`, gameId, slug: gameId, side });

describe('games by status', () => {
  it('counts the book\'s games by status at each scrape, every status named, 0 without a term', async () => {
    const pipeline = new PricePipeline({ complaints: { report: () => undefined } });
    const markets = [market('g1', 'home'), market('g1', 'away'), market('g2', 'home'), market('g3', 'home'), market('g3', 'draw')];
    pipeline.applyMapping(diffMarketMaps(new Map(), new Map(markets.map((m) => [m.ticker, m]))));
    let term: TermStatus = { ...NO_TERM, leading: true, gamesByStatus: pipeline.gamesByStatus() };
    const metrics = createMetrics(() => term);
    const scrape = () => metrics.registry.metrics();

    let text = await scrape();
    expect(text).toMatch(/^kalshi_games_by_status\{status="open"\} 3$/m);
    for (const status of ['scheduled', 'paused', 'closed', 'final']) expect(text).toMatch(new RegExp(`^kalshi_games_by_status\\{status="${status}"\\} 0$`, 'm'));

    pipeline.applyStatus({ ticker: 'g1-home', status: 'paused', result: null, source: 'lifecycle' }, 1);
    pipeline.applyStatus({ ticker: 'g3-draw', status: 'determined', result: 'yes', source: 'rest' }, 1);
    term = { ...term, gamesByStatus: pipeline.gamesByStatus() };
    text = await scrape();
    expect(text).toMatch(/^kalshi_games_by_status\{status="open"\} 1$/m);
    expect(text).toMatch(/^kalshi_games_by_status\{status="paused"\} 1$/m);
    expect(text).toMatch(/^kalshi_games_by_status\{status="final"\} 1$/m);
    expect(statusBody('leader', 'w', true, term).gamesByStatus).toEqual({ scheduled: 0, open: 1, paused: 1, closed: 0, final: 1 });

    term = NO_TERM;
    expect(await scrape()).toMatch(/^kalshi_games_by_status\{status="final"\} 0$/m);
    expect(statusBody('standby', 'w', true, NO_TERM).gamesByStatus).toEqual({ scheduled: 0, open: 0, paused: 0, closed: 0, final: 0 });
  });
});
