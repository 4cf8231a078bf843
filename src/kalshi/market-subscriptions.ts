import type { Logger } from 'pino';
import { pause } from '../timing/every';
import { Wakeup } from '../timing/wakeup';
import { CommandError, type CommandReply, type KalshiConnection } from './connection';
import { okMarketTickers, type ErrorMessage } from './protocol';
import { DEFAULT_RETRY, halve, planNextCommand, retryDelayMs, type RetryPolicy, type SubscriptionCommand } from './subscription-plan';

export const TICKERS_PER_COMMAND = 50;
export const COMMAND_SPACING_MS = 100;
/** The only codes after which Kalshi has ended the subscription (docs/KALSHI.md; 17 is retired). */
export const TERMINAL_CODES: ReadonlySet<number> = new Set([10, 25]);
const UNKNOWN_SID = 7;
const MARKET_LIMIT = 26;
const TOO_MANY_REQUESTS = 27;
/** A refused delete_markets is sent at most this many times, then the market is forgotten locally. */
const DELETE_ATTEMPTS = 2;

export interface MarketSubscriptionsOptions {
  connection: Pick<KalshiConnection, 'command' | 'state' | 'recycle' | 'id'>;
  log: Logger;
  commandSpacingMs?: number;
  retry?: RetryPolicy;
  /** Markets added to a running subscription: their current price must be read at once. */
  onMarketsAdded?: (tickers: string[]) => void;
  /**
   * Error 26: this connection's subscription is full at `capacity` markets. The markets that did not fit have
   * been taken out of `desired` and must go to another connection.
   */
  onFull?: (spilled: string[], capacity: number) => void;
  /** Kalshi refused a market for the first time (it is retried with backoff). */
  onRefused?: (ticker: string, code: number | 'absent') => void;
  onChange?: () => void;
  now?: () => number;
}

interface Refusal {
  attempts: number;
  retryAt: number;
}

/**
 * The `ticker` subscription of one connection: converges what Kalshi holds to the desired set, one command at a
 * time, at most 50 tickers a command and 100 ms apart. One subscription, grown with add_markets (asking for the
 * snapshot, which Kalshi does not send there by default); a refused market is isolated by halving the command
 * and retried with backoff on its own; 26 hands what did not fit to another connection.
 */
export class MarketSubscriptions {
  readonly desired = new Set<string>();
  private sid: number | undefined;
  /**
   * Sids a terminal error (10, 25) ended before this socket knew them: the error can be read before the
   * continuation of the `subscribe` whose reply named that sid has run (both frames in one read). A reply that
   * then names one of these is a subscription already over. Sids are unique per socket; kept small.
   */
  private readonly endedBeforeKnown = new Set<number>();
  private readonly held = new Set<string>();
  private readonly unconfirmed = new Set<string>();
  private readonly refused = new Map<string, Refusal>();
  private probes: string[][] = [];
  private readonly deleteFailures = new Map<string, number>();
  private readonly abandoned = new Set<string>();
  private readonly renew = new Set<string>();
  private capacityValue: number | undefined;
  private backoffFailures = 0;
  /** Wakes the loop: something to do (markets added or removed, a socket opened, an error to act on). */
  private readonly wakeup = new Wakeup();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly retry: RetryPolicy;

  constructor(private readonly options: MarketSubscriptionsOptions) {
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /** Desired markets Kalshi holds, confirmed; never more than the desired count. */
  get subscribedCount(): number {
    let count = 0;
    for (const ticker of this.desired) if (this.held.has(ticker) && !this.unconfirmed.has(ticker)) count += 1;
    return count;
  }

  /** Desired markets Kalshi refused (not subscribed; retried with backoff). */
  get refusedCount(): number {
    let count = 0;
    for (const ticker of this.refused.keys()) if (this.desired.has(ticker)) count += 1;
    return count;
  }

  refusedTickers(): string[] {
    return [...this.refused.keys()].filter((t) => this.desired.has(t));
  }

  /** The learned size limit of this connection's subscription (error 26), if any. */
  get capacity(): number | undefined {
    return this.capacityValue;
  }

  /** Every desired market is subscribed or refused (awaiting its retry), and nothing else is held. */
  get converged(): boolean {
    if (this.renew.size > 0) return false;
    for (const ticker of this.held) if (!this.desired.has(ticker) && !this.abandoned.has(ticker)) return false;
    for (const ticker of this.desired) {
      const subscribed = this.held.has(ticker) && !this.unconfirmed.has(ticker);
      if (!subscribed && !this.refused.has(ticker)) return false;
    }
    return true;
  }

  /**
   * Kalshi holds this desired market for us (a `subscribed` reply counts: its ticks flow even before an `ok` list
   * confirms it), or refused it and it waits for its retry: either way the socket does all it can for it. False for
   * a market not held yet (a command in flight, error 27 backoff, a socket just reopened).
   */
  serves(ticker: string): boolean {
    if (!this.desired.has(ticker)) return false;
    return this.held.has(ticker) || this.refused.has(ticker);
  }

  add(tickers: Iterable<string>): void {
    for (const ticker of tickers) {
      this.desired.add(ticker);
      this.abandoned.delete(ticker);
    }
    this.kick();
  }

  remove(tickers: Iterable<string>): void {
    for (const ticker of tickers) {
      this.desired.delete(ticker);
      this.refused.delete(ticker);
      this.renew.delete(ticker);
    }
    this.kick();
  }

  /** A new socket has no subscription: everything desired is subscribed again, refused markets included. */
  onOpen(): void {
    this.resetSocketState();
    const now = this.now();
    for (const refusal of this.refused.values()) refusal.retryAt = now;
    this.kick();
  }

  onClose(): void {
    this.resetSocketState();
    this.options.onChange?.();
  }

  /**
   * The subscription's one loop, until the signal aborts (the feed stopped or the shard closed): converge, then
   * sleep until woken (kick) or until the next refused market's retry is due. One loop, so never two commands
   * at once; its timers go with the signal.
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.work(signal);
      await this.wakeup.wait(signal, this.nextRetryInMs());
    }
  }

  /** An error that answered no command: Kalshi ending a subscription, or telling about one. */
  onAsyncError(message: ErrorMessage): void {
    const { code } = message.msg;
    const sid = message.sid;
    if (!TERMINAL_CODES.has(code)) {
      this.log.warn({ code, msg: message.msg.msg, sid, seq: message.seq }, 'Kalshi sent an error about a subscription');
      return;
    }
    if (sid !== undefined && sid === this.sid) {
      this.log.warn({ code, sid, markets: this.held.size }, 'Kalshi ended the subscription; subscribing its markets again');
      this.forgetSubscription();
      this.kick();
      return;
    }
    if (sid !== undefined) {
      // Not ours now: one already forgotten and replaced, another channel's, or ours with its reply still on the way.
      this.endedBeforeKnown.add(sid);
      if (this.endedBeforeKnown.size > 16) this.endedBeforeKnown.delete(this.endedBeforeKnown.values().next().value as number);
      this.kick();
      return;
    }
    // Which subscription ended is unknown: a fresh socket is the only state we can be sure of.
    this.options.connection.recycle(`terminal error ${code} without a known sid`);
  }

  /** Subscribe these markets again (reconciliation found them silent): removed, then added with a snapshot. */
  resubscribe(tickers: Iterable<string>): void {
    for (const ticker of tickers) {
      if (!this.held.has(ticker) || this.abandoned.has(ticker)) continue;
      this.log.warn({ sid: this.sid, ticker }, 'subscription of a market went silent; subscribing it again');
      this.renew.add(ticker);
    }
    this.kick();
  }

  private resetSocketState(): void {
    this.forgetSubscription();
    // Sids start again at 1 on a new socket.
    this.endedBeforeKnown.clear();
    this.probes = [];
    this.deleteFailures.clear();
    this.abandoned.clear();
    this.renew.clear();
    this.backoffFailures = 0;
  }

  private forgetSubscription(): void {
    this.sid = undefined;
    this.held.clear();
    this.unconfirmed.clear();
  }

  private kick(): void {
    this.wakeup.wake();
  }

  private async work(signal: AbortSignal): Promise<void> {
    const spacing = this.options.commandSpacingMs ?? COMMAND_SPACING_MS;
    for (;;) {
      if (signal.aborted || this.options.connection.state !== 'open') return;
      this.probes = this.probes.filter((group) => group.some((t) => this.awaited(t) && !this.refused.has(t)));
      const command = planNextCommand({
        desired: this.desired,
        sid: this.sid,
        held: this.held,
        unconfirmed: this.unconfirmed,
        refused: new Map([...this.refused].map(([ticker, r]) => [ticker, r.retryAt])),
        probes: this.probes,
        abandoned: this.abandoned,
        renew: this.renew,
        capacity: this.capacityValue,
        batchSize: TICKERS_PER_COMMAND,
        now: this.now(),
      });
      if (command === undefined) return;
      const carryOn = await this.runCommand(command, signal);
      this.options.onChange?.();
      if (!carryOn) return;
      await pause(this.backoffFailures > 0 ? Math.min(1000 * 2 ** this.backoffFailures, 30_000) : spacing, signal);
    }
  }

  /** When the next refused market's retry is due (undefined: none; the loop then waits for a kick). */
  private nextRetryInMs(): number | undefined {
    let next = Infinity;
    for (const [ticker, refusal] of this.refused) if (this.awaited(ticker)) next = Math.min(next, refusal.retryAt);
    return next === Infinity ? undefined : Math.max(50, next - this.now());
  }

  /** Desired and not held: something a command could still bring. */
  private awaited(ticker: string): boolean {
    return this.desired.has(ticker) && !this.held.has(ticker);
  }

  /** Runs one command and applies its outcome; false when the loop should stop (socket gone). */
  private async runCommand(command: SubscriptionCommand, signal: AbortSignal): Promise<boolean> {
    let reply: CommandReply;
    try {
      reply = await this.send(command);
    } catch (error) {
      return this.handleFailure(command, error, signal);
    }
    // The socket may have closed (and a new one opened) while the reply was on its way.
    if (signal.aborted || this.options.connection.state !== 'open') return false;
    this.backoffFailures = 0;
    switch (command.kind) {
      case 'subscribe':
        if (reply.type === 'subscribed') {
          this.forgetSubscription();
          if (this.endedBeforeKnown.delete(reply.msg.sid)) {
            this.log.warn({ sid: reply.msg.sid }, 'Kalshi ended the subscription before its reply was handled; subscribing its markets again');
            break;
          }
          this.sid = reply.msg.sid;
          // No list in this reply: held, but unconfirmed until an `ok` list says so (a refused market stays refused).
          for (const ticker of command.tickers) {
            this.held.add(ticker);
            this.unconfirmed.add(ticker);
          }
          break;
        }
        if (reply.type === 'ok' && reply.sid !== undefined) {
          // Kalshi merged this subscribe into the connection's existing subscription (docs/KALSHI.md).
          this.log.info({ sid: reply.sid, previousSid: this.sid }, 'Kalshi merged a subscribe into the existing subscription');
          this.sid = reply.sid;
          this.applyList(reply, command.tickers);
          break;
        }
        return this.unexpected(command, reply, signal);
      case 'add_markets':
        if (reply.type !== 'ok') return this.unexpected(command, reply, signal);
        this.applyList(reply, command.tickers);
        if (command.purpose !== 'verify') {
          const added = command.tickers.filter((t) => this.held.has(t));
          if (added.length > 0) this.options.onMarketsAdded?.(added);
        }
        break;
      case 'delete_markets':
        if (reply.type !== 'ok') return this.unexpected(command, reply, signal);
        for (const ticker of command.tickers) {
          this.deleteFailures.delete(ticker);
          this.renew.delete(ticker);
        }
        if (okMarketTickers(reply) === undefined) for (const ticker of command.tickers) this.held.delete(ticker);
        else this.applyList(reply, []);
        break;
      case 'unsubscribe':
        this.forgetSubscription();
        break;
    }
    return true;
  }

  /**
   * An `ok` carries the subscription's whole list: it is what Kalshi holds. A market asked for and absent from it
   * was refused (Kalshi may accept an unlisted ticker silently and leave it out).
   */
  private applyList(reply: CommandReply, asked: readonly string[]): void {
    const list = reply.type === 'ok' ? okMarketTickers(reply) : undefined;
    if (list === undefined) {
      // No list to compare with: take the command at its word.
      for (const ticker of asked) this.held.add(ticker);
      this.settleRetried(asked);
      return;
    }
    this.held.clear();
    this.unconfirmed.clear();
    for (const ticker of list) if (!this.abandoned.has(ticker)) this.held.add(ticker);
    const absent: string[] = [];
    for (const ticker of asked) if (!this.held.has(ticker)) absent.push(ticker);
    // Also a refused market a `subscribe` carried: this list is the first word on it.
    this.settleRetried([...this.refused.keys()].filter((t) => this.held.has(t)));
    for (const ticker of absent) this.refuse(ticker, 'absent');
  }

  private settleRetried(tickers: readonly string[]): void {
    for (const ticker of tickers) {
      if (this.refused.delete(ticker)) this.log.info({ ticker }, 'Kalshi accepted a market it had refused');
    }
  }

  private refuse(ticker: string, code: number | 'absent'): void {
    const previous = this.refused.get(ticker);
    const attempts = (previous?.attempts ?? 0) + 1;
    const delay = retryDelayMs(attempts, this.retry);
    this.refused.set(ticker, { attempts, retryAt: this.now() + delay });
    if (previous === undefined) {
      this.log.warn({ ticker, code, retryInMs: delay }, 'Kalshi refused a market; it is not subscribed and is retried with backoff');
      this.options.onRefused?.(ticker, code);
    } else {
      this.log.debug({ ticker, code, attempts, retryInMs: delay }, 'Kalshi refused a market again');
    }
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
        return connection.command('update_subscription', {
          sids: [command.sid],
          market_tickers: command.tickers,
          action: 'add_markets',
          // Kalshi's default is false here: without it, an added market has no price until it changes.
          send_initial_snapshot: command.snapshot,
        });
      case 'delete_markets':
        return connection.command('update_subscription', { sids: [command.sid], market_tickers: command.tickers, action: 'delete_markets' });
      case 'unsubscribe':
        return connection.command('unsubscribe', { sids: [command.sid] });
    }
  }

  private handleFailure(command: SubscriptionCommand, error: unknown, signal: AbortSignal): boolean {
    if (!(error instanceof CommandError)) {
      // Closed socket or no reply: the next open subscribes everything again.
      this.log.warn({ command: command.kind, err: (error as Error).message }, 'Kalshi command failed');
      if (this.options.connection.state === 'open') this.options.connection.recycle('command without reply');
      return false;
    }
    if (signal.aborted || this.options.connection.state !== 'open') return false;
    const { code } = error;
    if (code === TOO_MANY_REQUESTS) {
      this.backoffFailures += 1;
      this.log.warn({ failures: this.backoffFailures }, 'Kalshi command rate limit (error 27); backing off');
      return true;
    }
    if (TERMINAL_CODES.has(code) || code === UNKNOWN_SID) {
      // The subscription is gone: subscribe again, slowing down if Kalshi keeps answering so.
      this.log.warn({ command: command.kind, code, sid: this.sid }, 'Kalshi has no subscription for this command any more; subscribing again');
      this.forgetSubscription();
      this.backoffFailures = TERMINAL_CODES.has(code) ? this.backoffFailures + 1 : this.backoffFailures;
      return true;
    }
    switch (command.kind) {
      case 'delete_markets':
        this.deleteRefused(command.tickers, code);
        return true;
      case 'unsubscribe':
        this.log.error({ sid: command.sid, code }, 'Kalshi refused unsubscribe; replacing the socket');
        this.options.connection.recycle(`unsubscribe refused (${code})`);
        return false;
      case 'subscribe':
      case 'add_markets':
        if (code === MARKET_LIMIT) this.limitReached(command.tickers);
        else this.addRefused(command.tickers, code);
        return true;
    }
  }

  /** A command refused for some of its markets: halve it until the refused one is alone; keep the good ones. */
  private addRefused(tickers: readonly string[], code: number): void {
    if (tickers.length === 1) {
      this.refuse(tickers[0], code);
      return;
    }
    this.log.info({ code, tickers: tickers.length }, 'Kalshi refused a command; narrowing it to find the refused market');
    this.probes = [...halve(tickers), ...this.probes.filter((group) => !group.some((t) => tickers.includes(t)))];
  }

  /**
   * Error 26: this connection's subscription is full. What it holds stays; everything it does not hold goes to
   * another connection (a second subscription on this socket would merge back into the full one).
   */
  private limitReached(tickers: readonly string[]): void {
    if (this.sid === undefined || this.held.size === 0) {
      // Even the first command does not fit: the limit is below a command's size; find it by halving.
      if (tickers.length > 1) {
        this.probes = [...halve(tickers), ...this.probes];
        return;
      }
      this.refuse(tickers[0], MARKET_LIMIT);
      return;
    }
    const capacity = this.held.size;
    this.capacityValue = capacity;
    const spilled = [...this.desired].filter((t) => !this.held.has(t));
    for (const ticker of spilled) {
      this.desired.delete(ticker);
      this.refused.delete(ticker);
    }
    this.probes = [];
    this.log.warn({ capacity, spilled: spilled.length }, 'Kalshi subscription market limit reached (error 26); the rest go to another connection');
    this.options.onFull?.(spilled, capacity);
  }

  /** A refused removal is sent once more, then the market is forgotten locally (never a loop). */
  private deleteRefused(tickers: readonly string[], code: number): void {
    for (const ticker of tickers) {
      const failures = (this.deleteFailures.get(ticker) ?? 0) + 1;
      this.deleteFailures.set(ticker, failures);
      this.renew.delete(ticker);
      if (failures < DELETE_ATTEMPTS) continue;
      this.deleteFailures.delete(ticker);
      this.held.delete(ticker);
      this.unconfirmed.delete(ticker);
      this.abandoned.add(ticker);
      this.log.error({ ticker, code, attempts: failures }, 'Kalshi refused to remove a market twice; forgetting it on this socket');
    }
  }

  /** A reply of the wrong kind is a refusal: planning the same command again would loop. */
  private unexpected(command: SubscriptionCommand, reply: CommandReply, signal: AbortSignal): boolean {
    this.log.error({ command: command.kind, reply: reply.type }, 'unexpected reply from Kalshi');
    return this.handleFailure(command, new CommandError(0, `unexpected reply ${reply.type}`), signal);
  }
}
