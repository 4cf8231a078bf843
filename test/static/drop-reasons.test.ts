/**
 * The drop reasons of kalshi_invalid_messages_total{reason} come from one registry (src/observability/drop-reasons.ts):
 * docs/OPERATING.md "Drop reasons" lists exactly its entries with their meanings, every entry is produced somewhere
 * in src/, and Complaints takes nothing else (checked by the compiler: `npm test` typechecks this file).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { Complaints } from '../../src/observability/complaints';
import { DROP_REASONS, DROP_REASON_NAMES } from '../../src/observability/drop-reasons';
import { REPO, sourceFiles } from './helpers/repo-files';

/** The rows of the markdown table under `## Drop reasons`: [reason, meaning]. */
function dropReasonsTable(markdown: string): [string, string][] {
  const section = /^## Drop reasons\n([\s\S]*?)(?=^## )/m.exec(markdown + '\n## ');
  if (!section) throw new Error('docs/OPERATING.md has no "## Drop reasons" section');
  return [...section[1].matchAll(/^\| `([a-z0-9_]+)` \| (.*) \|$/gm)].map((m) => [m[1], m[2]]);
}

describe('drop reasons', () => {
  test('docs/OPERATING.md "Drop reasons" is the registry, entry for entry, in its order', () => {
    const doc = dropReasonsTable(readFileSync(path.join(REPO, 'docs/OPERATING.md'), 'utf8'));
    const expected = Object.entries(DROP_REASONS);
    // On a difference, the message holds the table to paste.
    const table = expected.map(([reason, meaning]) => `| \`${reason}\` | ${meaning} |`).join('\n');
    expect({ rows: doc, paste: table }).toEqual({ rows: expected, paste: table });
  });

  test('every reason of the registry is produced somewhere in src/ (no dead entries)', () => {
    const code = sourceFiles('src')
      .filter((file) => file !== 'src/observability/drop-reasons.ts')
      .map((file) => readFileSync(path.join(REPO, file), 'utf8'))
      .join('\n');
    const unused = DROP_REASON_NAMES.filter((reason) => !code.includes(`'${reason}'`));
    expect(unused).toEqual([]);
  });

  test('Complaints counts a listed reason, and an unlisted one does not compile', () => {
    const counted: string[] = [];
    const complaints = new Complaints(pino({ level: 'silent' }), { inc: ({ reason }) => counted.push(reason) });
    complaints.report('bad_price');
    complaints.count('unknown_ticker');
    // @ts-expect-error: 'no_such_reason' is not in DROP_REASONS (this line fails `tsc` the day report takes any string)
    complaints.report('no_such_reason');
    // @ts-expect-error: the same for count
    complaints.count('no_such_reason');
    expect(counted).toEqual(['bad_price', 'unknown_ticker', 'no_such_reason', 'no_such_reason']);
  });
});
