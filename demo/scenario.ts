import type { KalshiSimulator } from '@kalshi-ingestor/kalshi-sim';
import type { DemoGame } from './games';

/** One step of a game's life, as Kalshi would take it, `atS` seconds after the service started. */
interface Step {
  atS: number;
  say: string;
  run(sim: KalshiSimulator, game: DemoGame): void;
}

const tickerOf = (game: DemoGame, side: 'home' | 'away') => game.markets.find((m) => m.side === side)?.ticker ?? '';
const BOTH = ['home', 'away'] as const;

/**
 * The life the demo plays for one game, on the simulator's lifecycle channel and REST: open → paused (a trading
 * pause) → open → closed at the final whistle (its book empties; the last live quote stands) → final (the home
 * team won) → settled. What the service makes of each step shows in the table's status column.
 */
const STEPS: Step[] = [
  { atS: 15, say: 'trading paused (deactivated)', run: (sim, g) => BOTH.forEach((side) => sim.marketLife(tickerOf(g, side), 'pause')) },
  { atS: 25, say: 'trading resumed (activated)', run: (sim, g) => BOTH.forEach((side) => sim.marketLife(tickerOf(g, side), 'resume')) },
  { atS: 40, say: 'final whistle: markets closed, book emptied (close_date_updated)', run: (sim, g) => BOTH.forEach((side) => sim.marketLife(tickerOf(g, side), 'close')) },
  {
    atS: 50,
    say: 'determined: the home team won (determined yes / no)',
    run: (sim, g) => {
      sim.marketLife(tickerOf(g, 'home'), 'determine', { result: 'yes' });
      sim.marketLife(tickerOf(g, 'away'), 'determine', { result: 'no' });
    },
  },
  { atS: 60, say: 'settled (settled)', run: (sim, g) => BOTH.forEach((side) => sim.marketLife(tickerOf(g, side), 'settle')) },
];

/** Plays the steps on their schedule; `onStep` hears each one. Returns a stop function (Ctrl-C). */
export function playLife(sim: KalshiSimulator, game: DemoGame, onStep: (line: string) => void): () => void {
  const timers = STEPS.map((step) =>
    setTimeout(() => {
      try {
        step.run(sim, game);
        onStep(`${game.label}: ${step.say}`);
      } catch (error) {
        onStep(`${game.label}: ${step.say} failed: ${(error as Error).message}`);
      }
    }, step.atS * 1000),
  );
  onStep(`${game.label}: open; paused at +${STEPS[0].atS} s, closed at +${STEPS[2].atS} s, final at +${STEPS[3].atS} s`);
  return () => timers.forEach((timer) => clearTimeout(timer));
}
