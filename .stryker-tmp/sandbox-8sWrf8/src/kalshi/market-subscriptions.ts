// @ts-nocheck
import type { Logger } from 'pino';
import { CommandError, type CommandReply, type KalshiConnection } from './connection';
import type { ErrorMessage } from './protocol';
import { planNextCommand, type SubscriptionCommand } from './subscription-plan';

export const TICKERS_PER_COMMAND = 50;
export const COMMAND_SPACING_MS = 100;
/** Error codes after which Kalshi has ended the subscription (KALSHI.md). */
const TERMINAL_CODES = new Set([10, 17, 25]);
const MARKET_NOT_FOUND = 16;
const MARKET_LIMIT = 26;
const TOO_MANY_REQUESTS = 27;

export interface MarketSubscriptionsOptions {
  connection: Pick<KalshiConnection, 'command' | 'state' | 'recycle' | 'id'>;
  log: Logger;
  maxMarketsPerSubscription?: number;
  commandSpacingMs?: number;
  /** Markets added to a running subscription: their current price must be read at once. */
  onMarketsAdded?: (tickers: string[]) => void;
  onChange?: () => void;
}

/**
 * The `ticker` subscriptions of one connection: converges what Kalshi has to the desired set, one
 * command at a time, at most 50 tickers a command and 100 ms apart.
 */
export class MarketSubscriptions {
  readonly desired = new Set<string>();
  private readonly sids = new Map<number, Set<string>>();
  private readonly rejected = new Set<string>();
  private sidCapacity: number;
  private batchSize = TICKERS_PER_COMMAND;
  private working = false;
  private rateLimitFailures = 0;
  private readonly log: Logger;

  constructor(private readonly options: MarketSubscriptionsOptions) {
    this.sidCapacity = options.maxMarketsPerSubscription ?? 500;
    this.log = options.log;
  }

  get subscribedCount(): number {
    let count = 0;
    for (const tickers of this.sids.values()) count += tickers.size;
    return count;
  }

  /** Every desired market that Kalshi knows is subscribed, and nothing else is. */
  get converged(): boolean {
    let subscribedDesired = 0;
    for (const tickers of this.sids.values()) {
      for (const ticker of tickers) {
        if (!this.desired.has(ticker)) return false;
        subscribedDesired += 1;
      }
    }
    let rejectedDesired = 0;
    for (const ticker of this.rejected) if (this.desired.has(ticker)) rejectedDesired += 1;
    return subscribedDesired + rejectedDesired === this.desired.size;
  }

  add(tickers: Iterable<string>): void {
    for (const ticker of tickers) this.desired.add(ticker);
    this.kick();
  }

  remove(tickers: Iterable<string>): void {
    for (const ticker of tickers) {
      this.desired.delete(ticker);
      this.rejected.delete(ticker);
    }
    this.kick();
  }

  /** A new socket has no subscriptions: everything desired is subscribed again. */
  onOpen(): void {
    this.sids.clear();
    this.kick();
  }

  onClose(): void {
    this.sids.clear();
    this.options.onChange?.();
  }

  /** An error that answers no command (Kalshi ending a subscription). */
  onAsyncError(message: ErrorMessage): void {
    const { code } = message.msg;
    if (!TERMINAL_CODES.has(code)) {
      this.log.warn({ code, msg: message.msg.msg, sid: message.sid }, 'Kalshi sent an error');
      return;
    }
    const sid = message.sid;
    if (sid !== undefined && this.sids.has(sid)) {
      this.log.warn({ code, sid, markets: this.sids.get(sid)?.size }, 'Kalshi ended a subscription; subscribing its markets again');
      this.sids.delete(sid);
      this.kick();
      return;
    }
    // Which subscription ended is unknown: a fresh socket is the only state we can be sure of.
    this.options.connection.recycle(`terminal error ${code} without a known sid`);
  }

  /** Forget a subscription known to be dead (reconciliation found it silent). */
  resubscribe(tickers: Iterable<string>): void {
    for (const ticker of tickers) {
      for (const [sid, held] of this.sids) {
        if (held.has(ticker)) {
          this.log.warn({ sid, ticker }, 'subscription went silent; subscribing it again');
          void this.unsubscribeQuietly(sid);
          this.sids.delete(sid);
        }
      }
    }
    this.kick();
  }

  private kick(): void {
    if (this.working || this.options.connection.state !== 'open') return;
    this.working = true;
    void this.work().finally(() => {
      this.working = false;
    });
  }

  private async work(): Promise<void> {
    const spacing = this.options.commandSpacingMs ?? COMMAND_SPACING_MS;
    for (;;) {
      if (this.options.connection.state !== 'open') return;
      const command = planNextCommand({
        desired: this.desired,
        sids: this.sids,
        rejected: this.rejected,
        sidCapacity: this.sidCapacity,
        batchSize: this.batchSize,
      });
      if (command === undefined) return;
      const carryOn = await this.run(command);
      this.options.onChange?.();
      if (!carryOn) return;
      await sleep(this.rateLimitFailures > 0 ? Math.min(1000 * 2 ** this.rateLimitFailures, 30_000) : spacing);
    }
  }

  /** Runs one command and applies its outcome; false when the loop should stop (socket gone). */
  private async run(command: SubscriptionCommand): Promise<boolean> {
    let reply: CommandReply;
    try {
      reply = await this.send(command);
    } catch (error) {
      return this.handleFailure(command, error);
    }
    this.rateLimitFailures = 0;
    this.batchSize = Math.min(TICKERS_PER_COMMAND, this.sidCapacity);
    switch (command.kind) {
      case 'subscribe': {
        if (reply.type !== 'subscribed') return this.unexpected(command, reply);
        this.sids.set(reply.msg.sid, new Set(command.tickers));
        break;
      }
      case 'add_markets': {
        const held = this.sids.get(command.sid);
        if (held === undefined) break;
        for (const ticker of command.tickers) held.add(ticker);
        this.options.onMarketsAdded?.(command.tickers);
        break;
      }
      case 'delete_markets': {
        const held = this.sids.get(command.sid);
        for (const ticker of command.tickers) held?.delete(ticker);
        break;
      }
      case 'unsubscribe':
        this.sids.delete(command.sid);
        break;
    }
    return true;
  }

  private send(command: SubscriptionCommand): Promise<CommandReply> {
    const { connection } = this.options;
    switch (command.kind) {
      case 'subscribe':
        return connection.command('subscribe', {
          channels: ['ticker'],
          market_tickers: command.tickers,
          send_initial_snapshot: true,
        });
      case 'add_markets':
      case 'delete_markets':
        return connection.command('update_subscription', {
          sids: [command.sid],
          market_tickers: command.tickers,
          action: command.kind,
        });
      case 'unsubscribe':
        return connection.command('unsubscribe', { sids: [command.sid] });
    }
  }

  private handleFailure(command: SubscriptionCommand, error: unknown): boolean {
    if (!(error instanceof CommandError)) {
      // Closed socket or no reply: the next open subscribes everything again.
      this.log.warn({ command: command.kind, err: (error as Error).message }, 'Kalshi command failed');
      if (this.options.connection.state === 'open') this.options.connection.recycle('command without reply');
      return false;
    }
    const tickers = command.kind === 'unsubscribe' ? [] : command.tickers;
    switch (error.code) {
      case MARKET_NOT_FOUND:
        if (tickers.length === 1) {
          this.rejected.add(tickers[0] as string);
          this.log.error({ ticker: tickers[0] }, 'Kalshi does not know this market (error 16); leaving it unsubscribed');
        } else {
          // Kalshi rejects the whole command: find the unknown markets by halving the batch.
          this.batchSize = Math.max(1, Math.ceil(tickers.length / 2));
        }
        return true;
      case MARKET_LIMIT: {
        const held = command.kind === 'add_markets' ? this.sids.get(command.sid)?.size : undefined;
        this.sidCapacity = Math.max(1, held ?? Math.ceil(tickers.length / 2));
        this.batchSize = Math.min(this.batchSize, this.sidCapacity);
        this.log.warn({ sidCapacity: this.sidCapacity }, 'Kalshi subscription market limit reached (error 26); using smaller subscriptions');
        return true;
      }
      case TOO_MANY_REQUESTS:
        this.rateLimitFailures += 1;
        this.log.warn({ failures: this.rateLimitFailures }, 'Kalshi command rate limit (error 27); backing off');
        return true;
      case 7: // unknown sid: Kalshi no longer has it
        if (command.kind !== 'subscribe') this.sids.delete(command.sid);
        return true;
      default:
        this.log.error({ command: command.kind, code: error.code, err: error.message }, 'Kalshi refused a subscription command');
        if (TERMINAL_CODES.has(error.code)) return true;
        this.rejectAll(tickers);
        return true;
    }
  }

  /** A refusal we cannot act on: leave these markets rather than loop on them. */
  private rejectAll(tickers: string[]): void {
    for (const ticker of tickers) this.rejected.add(ticker);
  }

  private unexpected(command: SubscriptionCommand, reply: CommandReply): boolean {
    this.log.error({ command: command.kind, reply: reply.type }, 'unexpected reply from Kalshi');
    return true;
  }

  private async unsubscribeQuietly(sid: number): Promise<void> {
    try {
      await this.options.connection.command('unsubscribe', { sids: [sid] });
    } catch {
      // The subscription may already be gone; either way it is forgotten.
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
