/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof): self time by function and by package/file.
 *   node build/bench/profile-summary.js bench/profiles/service-throughput-….cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  selfPct: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time not idle (everything but "(idle)"). */
  busyMs: number;
  functions: ProfileEntry[];
  groups: ProfileEntry[];
  /** Inclusive time of the service's own hot-path functions, when present. */
  inclusive: ProfileEntry[];
}

function groupOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native/builtin)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return (rest[0] ?? '').startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url;
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url;
}

const INCLUSIVE_OF = [
  'handleFrame',
  'parseServerFrame',
  'handleMessage',
  'applyQuote',
  'makeQuote',
  'apply',
  'publish',
  'publishQueued',
  'write',
  'receiverOnMessage',
  'emitMessage',
];

export function summarizeProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i];
    // timeDeltas[i] is the time before sample i; attribute the next delta to this sample.
    const dt = (deltas[i + 1] ?? deltas[i] ?? 0);
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const group = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)') idleUs += us;
    const file = url === '' ? '' : ` ${groupOf(url, name)}:${lineNumber + 1}`;
    fn.set(`${name}${file}`, (fn.get(`${name}${file}`) ?? 0) + us);
    const g = groupOf(url, name);
    group.set(g, (group.get(g) ?? 0) + us);
  }
  // Inclusive time: a node's self time plus its descendants', once per function name (outermost frame only).
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (node === undefined) break;
      const { functionName, url } = node.callFrame;
      if (!INCLUSIVE_OF.includes(functionName) || seen.has(functionName)) continue;
      seen.add(functionName);
      const key = `${functionName} ${groupOf(url, functionName)}`;
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const busyUs = totalUs - idleUs;
  const entries = (map: Map<string, number>) =>
    [...map.entries()]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: Math.round(us / 100) / 10, selfPct: Math.round((us / Math.max(1, busyUs)) * 1000) / 10 }));
  return {
    totalMs: Math.round(totalUs / 1000),
    busyMs: Math.round(busyUs / 1000),
    functions: entries(fn),
    groups: entries(group),
    inclusive: entries(inclusive),
  };
}

function print(summary: ProfileSummary): void {
  const line = (e: ProfileEntry) => `${e.selfMs.toFixed(1).padStart(9)} ms ${e.selfPct.toFixed(1).padStart(5)}%  ${e.name}`;
  process.stdout.write(`total ${summary.totalMs} ms, busy (not idle) ${summary.busyMs} ms; % of busy\n\nby package/file (self):\n`);
  for (const e of summary.groups) process.stdout.write(`${line(e)}\n`);
  process.stdout.write('\nby function (self):\n');
  for (const e of summary.functions) process.stdout.write(`${line(e)}\n`);
  process.stdout.write('\ninclusive (self + callees):\n');
  for (const e of summary.inclusive) process.stdout.write(`${line(e)}\n`);
}

if (require.main === module) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node build/bench/profile-summary.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  print(summarizeProfile(file, Number(process.argv[3] ?? 30)));
}
