/**
 * Every comment and document points inside the repository: no file cites the design notes or Kalshi notes kept
 * beside it (DESIGN.md, ../shared, seed/), every docs/ file a file names exists, every section it names in quotes
 * after it (docs/CONTRACT.md "Metrics") is a heading (or a bold lead-in) of that file, and every relative link of a markdown file
 * reaches a file and, when it has one, a heading. Other branches' comments are caught here when they merge.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, repoFiles } from './helpers/repo-files';

/** Files that hold no prose of ours: lock files, recorded frames, pictures. */
const SKIPPED = /(^|\/)package-lock\.json$|\.(png|jpe?g|gif|ico|svg|woff2?|zip|tgz|gz|pem|jsonl)$/;

/** Paths outside the repository that documents and comments used to cite. */
const OUTSIDE: [RegExp, string][] = [
  [/\bDESIGN\.md\b/, 'DESIGN.md lives outside the repository: cite docs/CONTRACT.md or docs/ARCHITECTURE.md'],
  [/\.\.\/shared\b|(?<![\w.-])shared\/(?:DESIGN|KALSHI|kalshi-frames)/, '../shared is outside the repository'],
  [/(?<![\w./-])seed\//, 'seed/ is outside the repository'],
  [/(?<![\w.-])\/work\//, 'an absolute path of the machine the project was built on'],
];

const DOC_NAMES = 'CONTRACT|KALSHI|ARCHITECTURE|OPERATING|DEPLOYING|PERFORMANCE|DEPENDENCIES';
/** `docs/NAME.md`, or a bare `NAME.md` of docs/, possibly as a markdown link, possibly followed by "Section". */
const CITATION = new RegExp(`(?<![\\w./-])((?:docs/)?(?:${DOC_NAMES})\\.md)(?:\\]\\(([^)\\s]*)\\))?(?:,? "([^"\\n]+)")?`, 'g');
/** A section of the README cited by name: (README, "Draw markets"). */
const README_SECTION = /(?<![\w/.-])README(?:\.md)?,? "([^"\n]+)"/g;
/** Markdown links with a relative target: [text](target). */
const LINK = /\]\(((?!https?:|mailto:|#)[^)\s]+)\)/g;

const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

const headingCache = new Map<string, string[]>();
function headings(file: string): string[] {
  let found = headingCache.get(file);
  if (found === undefined) {
    const text = readFileSync(path.join(REPO, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    // Headings, and the bold lead-ins that open a paragraph or a bullet (**Three-way events.**), which name a part too.
    found = [...text.matchAll(/^#{1,6} (.+)$|^(?:- )?\*\*([^*\n]+?)\.?\*\*/gm)].map((m) => (m[1] ?? m[2]).trim());
    headingCache.set(file, found);
  }
  return found;
}

/** A section name cited in quotes matches a heading that is it, or begins with it ("Values" → "Values (…)"). */
function hasSection(file: string, section: string): boolean {
  const wanted = section.toLowerCase();
  return headings(file).some((h) => {
    const heading = h.toLowerCase().replace(/`/g, '');
    return heading === wanted || (heading.startsWith(wanted) && /^[\s:(,—-]/.test(heading.slice(wanted.length)));
  });
}

function hasAnchor(file: string, anchor: string): boolean {
  return headings(file).some((h) => anchorOf(h) === anchor.toLowerCase());
}

/** This file names the bad references it looks for. */
const SELF = 'test/static/references.test.ts';
const textFiles = () => repoFiles().filter((file) => !SKIPPED.test(file) && file !== SELF);

/** The problems of one file's text: "file:line: what". */
export function referenceProblems(file: string, text: string, exists: (file: string) => boolean): string[] {
  const problems: string[] = [];
  const inDocs = file.startsWith('docs/');
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const at = `${file}:${i + 1}`;
    for (const [pattern, why] of OUTSIDE) if (pattern.test(line)) problems.push(`${at}: ${why}`);
    for (const match of line.matchAll(CITATION)) {
      const [, named, linkTarget, section] = match;
      if (!named.startsWith('docs/') && !inDocs) {
        problems.push(`${at}: ${named} names no file from here: write docs/${named}`);
        continue;
      }
      const target = named.startsWith('docs/') ? named : `docs/${named}`;
      if (!exists(target)) {
        problems.push(`${at}: ${target} does not exist`);
        continue;
      }
      if (section !== undefined && linkTarget === undefined && !hasSection(target, section)) {
        problems.push(`${at}: ${target} has no section "${section}"`);
      }
      if (section !== undefined && linkTarget !== undefined && !hasSection(target, section)) {
        problems.push(`${at}: ${target} has no section "${section}"`);
      }
    }
    for (const [, section] of line.matchAll(README_SECTION)) {
      if (!hasSection('README.md', section)) problems.push(`${at}: README.md has no section "${section}"`);
    }
    if (!file.endsWith('.md')) return;
    for (const [, target] of line.matchAll(LINK)) {
      const [relative, anchor] = target.split('#');
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), relative));
      if (resolved.startsWith('..')) {
        problems.push(`${at}: link ${target} leaves the repository`);
        continue;
      }
      if (!exists(resolved) && !exists(`${resolved}/`)) {
        problems.push(`${at}: link ${target}: ${resolved} does not exist`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !hasAnchor(resolved, anchor)) {
        problems.push(`${at}: link ${target}: no heading with anchor #${anchor} in ${resolved}`);
      }
    }
  });
  return problems;
}

describe('references point inside the repository', () => {
  const files = textFiles();
  const tracked = new Set(files);
  const folders = new Set(files.flatMap((file) => file.split('/').slice(0, -1).map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/`)));
  const exists = (file: string) => tracked.has(file) || folders.has(file) || repoFiles().includes(file);

  test('no file cites a path outside the repository, or a docs/ file or section that does not exist', () => {
    const problems = files.flatMap((file) => referenceProblems(file, readFileSync(path.join(REPO, file), 'utf8'), exists));
    expect(problems).toEqual([]);
  });

  test('the checker catches each kind of bad reference', () => {
    const check = (file: string, text: string) => referenceProblems(file, text, exists);
    expect(check('src/x.ts', '// see DESIGN.md "Redis"')).toHaveLength(1);
    expect(check('src/x.ts', '// (../shared/kalshi-frames.jsonl)')).toHaveLength(1);
    expect(check('src/x.ts', '// the plan in seed/plan.txt')).toHaveLength(1);
    expect(check('src/x.ts', '// as KALSHI.md says')).toHaveLength(1);
    expect(check('src/x.ts', '// docs/NOWHERE.md')).toEqual([]); // not a docs name this test knows: left alone
    expect(check('src/x.ts', '// docs/CONTRACT.md "No such section"')).toHaveLength(1);
    expect(check('src/x.ts', '// docs/CONTRACT.md "Metrics", docs/KALSHI.md "Heartbeat"')).toEqual([]);
    expect(check('src/x.ts', '// docs/KALSHI.md "Heartbeats"')).toHaveLength(1);
    expect(check('src/x.ts', '// docs/CONTRACT.md "Three-way events", docs/CONTRACT.md, "Fencing"')).toEqual([]);
    expect(check('docs/A.md', 'see [the contract](CONTRACT.md) "Redis" and KALSHI.md')).toEqual([]);
    expect(check('docs/A.md', 'see [x](CONTRACT.md#no-such-heading)')).toHaveLength(1);
    expect(check('src/x.ts', '// (README, "Draw markets")')).toHaveLength(1);
    expect(check('src/x.ts', '// (README, "Test it")')).toEqual([]);
    expect(check('docs/A.md', 'see [x](../../shared/DESIGN.md)')).toHaveLength(3);
    expect(check('README.md', 'see [x](docs/CONTRACT.md#metrics) and [y](src/) and [z](nowhere.ts)')).toHaveLength(1);
  });
});
