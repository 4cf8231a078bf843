import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

// A game row whose frontend_data is not a JSON object (the API's row, not ours to fix) is left alone by the flush,
// and said so: counted as kalshi_invalid_messages_total{reason="frontend_data_not_object"} and logged at a bounded
// rate; the other games are written as usual.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function count(reason: string): Promise<number> {
  const text = await (await fetch(`${h.app.address}/metrics`)).text();
  const match = new RegExp(`^kalshi_invalid_messages_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text);
  return Number(match?.[1] ?? 0);
}

it('counts and logs a frontend_data that is not an object, writes the others', async () => {
  const bad = uniqueId('KX-NOTOBJ').toUpperCase();
  const good = uniqueId('KX-OBJ').toUpperCase();
  const { gameId: badGame } = await h.addGame([{ ticker: bad, side: 'home', yesBid: 0.5, yesAsk: 0.52 }], ['not', 'an', 'object'] as never);
  const { gameId: goodGame } = await h.addGame([{ ticker: good, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
  await waitFor(async () => (await count('frontend_data_not_object')) >= 1, { timeoutMs: 10_000, message: 'the bad row counted' });
  await waitFor(async () => ((await h.frontendData(goodGame))?.homeTeam as Record<string, unknown> | undefined)?.kalshiBuyPrice === 52, {
    message: 'the other game written',
  });
  expect(await h.frontendData(badGame)).toEqual(['not', 'an', 'object']);
  const line = h.logs.find((l) => JSON.stringify(l).includes('frontend_data_not_object'));
  expect(JSON.stringify(line)).toContain(badGame);
});
