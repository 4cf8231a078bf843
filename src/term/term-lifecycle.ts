import type { Logger } from 'pino';
import type { MarketKeys } from '../kalshi/fallback-markets';
import { LifecycleChannel, type ChannelHost, type LifecycleChannelStatus, type LifecycleCounters } from '../kalshi/lifecycle-channel';
import { MarketStatuses } from '../kalshi/market-statuses';
import type { ChannelMessage, ErrorMessage } from '../kalshi/protocol';
import type { KalshiRest } from '../kalshi/rest-client';
import type { InvalidSink } from '../kalshi/rest-page';
import type { MarketStatusSink } from '../prices/market-status';

/** What the term's markets' lives need of its sockets: where the lifecycle subscription lives, and ticker subscriptions. */
export interface LifecycleFeed extends ChannelHost {
  /** false: REST only (KALSHI_WS_ENABLED=false): statuses come from polling alone. */
  readonly enabled: boolean;
  setMarkets(tickers: ReadonlySet<string>): void;
}

export interface TermLifecycleDeps {
  feed: LifecycleFeed;
  rest: Pick<KalshiRest, 'readMarkets'>;
  /** The term's price pipeline. */
  sink: MarketStatusSink;
  /** The mapped markets now (the mapper's map: read, never copied, per market). */
  mapped(): MarketKeys;
  counters: LifecycleCounters;
  onInvalid: InvalidSink;
  log: Logger;
  superviseMs?: number;
}

/**
 * The term's view of its markets' lives (docs/CONTRACT.md, "A game's whole life"): their statuses, fed by every
 * REST read and by the lifecycle channel, handed to the price pipeline; the lifecycle subscription itself; and the
 * ticker subscriptions of determined markets removed (no more data will come; they stay in the book for their status).
 * One per leader term; run(signal) lives as long as the term.
 */
export class TermLifecycle {
  /** For every REST reader of the term (fallback polls, first reads, reconciliation). */
  readonly statuses: MarketStatuses;
  /** The mapped markets but the determined: those a socket (or, failing it, REST) must serve. A view, not a copy. */
  readonly undetermined: MarketKeys;
  private readonly channel: LifecycleChannel;

  constructor(private readonly deps: TermLifecycleDeps) {
    const isMapped = (ticker: string) => deps.mapped().has(ticker);
    this.statuses = new MarketStatuses({
      sink: deps.sink,
      isMapped,
      log: deps.log,
      onDetermined: () => deps.feed.setMarkets(this.subscribable(deps.mapped().keys())),
    });
    this.channel = new LifecycleChannel({
      host: deps.feed,
      rest: deps.rest,
      statuses: this.statuses,
      mapped: () => [...deps.mapped().keys()],
      isMapped,
      counters: deps.counters,
      onInvalid: deps.onInvalid,
      log: deps.log,
      ...(deps.superviseMs === undefined ? {} : { superviseMs: deps.superviseMs }),
    });
    const statuses = this.statuses;
    this.undetermined = {
      has: (ticker) => deps.mapped().has(ticker) && !statuses.isDetermined(ticker),
      *keys() {
        for (const ticker of deps.mapped().keys()) if (!statuses.isDetermined(ticker)) yield ticker;
      },
    };
  }

  /** The lifecycle subscription and its re-reads, while the socket is enabled; nothing to do in REST-only mode. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.deps.feed.enabled) await this.channel.run(signal);
  }

  /** The markets whose ticker subscription is wanted: every mapped one but the determined. */
  subscribable(mapped: Iterable<string>): Set<string> {
    const wanted = new Set<string>();
    for (const ticker of mapped) if (!this.statuses.isDetermined(ticker)) wanted.add(ticker);
    return wanted;
  }

  /** A mapping change: changed markets start over, and new ones have their status read (a socket snapshot has none). */
  mappingChanged(added: readonly string[], removed: readonly string[]): void {
    this.statuses.forget([...added, ...removed]);
    this.statuses.retain(this.deps.mapped());
    if (this.deps.feed.enabled) this.channel.readStatuses(added);
  }

  /** A lifecycle-channel frame or a subscription error from the feed. */
  handle(message: ChannelMessage | ErrorMessage, connectionId: number, receivedAtMs: number): void {
    this.channel.handle(message, connectionId, receivedAtMs);
  }

  status(): LifecycleChannelStatus {
    return this.channel.status();
  }
}
