import type { PriceMessage } from '../src/sinks/price-message';

export interface GameRow {
  gameId: string;
  label: string;
  message: PriceMessage | undefined;
  receivedAt: number;
  dbWrittenAt: number | undefined;
}

const COLUMNS = ['game', 'matchup', 'away buy/sell', 'home buy/sell', 'last tick', 'tick→redis', 'postgres write'];

/** The demo's live table, as text. */
export function renderTable(rows: readonly GameRow[], now: number): string {
  const lines = rows.map((row) => {
    const m = row.message;
    return [
      row.gameId,
      row.label,
      m === undefined ? '—' : `${cents(m.awayTeam.kalshiBuyPrice)} / ${cents(m.awayTeam.kalshiSellPrice)}`,
      m === undefined ? '—' : `${cents(m.homeTeam.kalshiBuyPrice)} / ${cents(m.homeTeam.kalshiSellPrice)}`,
      m === undefined ? 'waiting' : `${age(now - row.receivedAt)} ago`,
      m === undefined ? '' : `${Math.max(0, row.receivedAt - m.timestamp)} ms`,
      row.dbWrittenAt === undefined ? 'not yet' : `${age(now - row.dbWrittenAt)} ago`,
    ];
  });
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i]).length)));
  const format = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  return [format(COLUMNS), format(widths.map((w) => '─'.repeat(w))), ...lines.map(format)].join('\n');
}

function cents(value: number | null): string {
  return value === null ? '  —  ' : `${value}¢`;
}

function age(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
