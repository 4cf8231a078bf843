/**
 * A small interpreter of Go's text/template with the Sprig and Helm functions the chart uses, so that the
 * static tests can render helm/kalshi-ingestor on a machine without the helm binary and assert on the
 * Kubernetes objects it produces. It follows Helm's rules where they matter to a chart's correctness:
 *  - a missing map key is an error (`helm lint --strict` renders with missingkey=error), and so is a field
 *    of nil;
 *  - numbers read from values are float64 in Helm, so printing one directly uses Go's %v (1000000 prints as
 *    1e+06); `int` turns them into integers;
 *  - `{{-` / `-}}` trim whitespace; `define`, `template`, `include`, `if`/`else if`/`with`/`range` with
 *    variables and `$`.
 * It is not a complete implementation: an unknown function is an error, so a template using one fails here
 * loudly rather than silently rendering something else. The real helm runs in the GitHub workflow.
 */
// @ts-nocheck

import { createHash } from 'node:crypto';
import { stringify as yamlStringify } from 'yaml';

/** A float64, as Helm holds every number that comes from a values file. */
export class GoFloat {
  constructor(readonly value: number) {}
}

type Fn = (...args: unknown[]) => unknown;

// ---------------------------------------------------------------------------------------------- lexing

type Item = { kind: 'text'; text: string } | { kind: 'action'; src: string; at: string };

function lexItems(src: string, name: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  const location = (pos: number) => `${name}:${src.slice(0, pos).split('\n').length}`;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) items.push({ kind: 'text', text });
      break;
    }
    let k = open + 2;
    if (src[k] === '-' && /\s/.test(src[k + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      k += 2;
    }
    if (text) items.push({ kind: 'text', text });
    // Comment: {{/* ... */}}, optionally with trim markers.
    const afterSpace = k + (src.slice(k).match(/^\s*/)?.[0].length ?? 0);
    if (src.startsWith('/*', afterSpace)) {
      const end = src.indexOf('*/', afterSpace);
      if (end < 0) throw new Error(`${location(open)}: unclosed comment`);
      let j = end + 2;
      const rest = src.slice(j).match(/^(\s*-)?\s*\}\}/);
      if (!rest) throw new Error(`${location(open)}: comment not closed by }}`);
      if (rest[1]) trimNext = true;
      i = j + rest[0].length;
      continue;
    }
    // Find the closing }} outside string literals.
    let j = k;
    let quote: string | null = null;
    for (; j < src.length; j++) {
      const ch = src[j];
      if (quote) {
        if (ch === '\\' && quote !== '`') j++;
        else if (ch === quote) quote = null;
        continue;
      }
      if (ch === '"' || ch === '`' || ch === "'") quote = ch;
      else if (ch === '}' && src[j + 1] === '}') break;
    }
    if (j >= src.length) throw new Error(`${location(open)}: unclosed action`);
    let body = src.slice(k, j);
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    items.push({ kind: 'action', src: body.trim(), at: location(open) });
    i = j + 2;
  }
  return items;
}

type Token =
  | { t: 'field'; v: string; sp: boolean }
  | { t: 'dot'; sp: boolean }
  | { t: 'var'; v: string; sp: boolean }
  | { t: 'ident'; v: string; sp: boolean }
  | { t: 'lit'; v: unknown; sp: boolean }
  | { t: '|' | '(' | ')' | ':=' | '=' | ','; sp: boolean };

function tokenize(src: string, at: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let sp = true;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      sp = true;
      i++;
      continue;
    }
    const rest = src.slice(i);
    let m: RegExpMatchArray | null;
    if (rest.startsWith(':=')) {
      out.push({ t: ':=', sp });
      i += 2;
    } else if ('|(),='.includes(ch)) {
      out.push({ t: ch as '|', sp });
      i++;
    } else if (ch === '"') {
      m = rest.match(/^"(?:[^"\\]|\\.)*"/);
      if (!m) throw new Error(`${at}: bad string in {{ ${src} }}`);
      out.push({ t: 'lit', v: JSON.parse(m[0]) as string, sp });
      i += m[0].length;
    } else if (ch === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw new Error(`${at}: unclosed raw string`);
      out.push({ t: 'lit', v: src.slice(i + 1, end), sp });
      i = end + 1;
    } else if ((m = rest.match(/^\.[A-Za-z_][A-Za-z0-9_]*/))) {
      out.push({ t: 'field', v: m[0].slice(1), sp });
      i += m[0].length;
    } else if (ch === '.') {
      out.push({ t: 'dot', sp });
      i++;
    } else if ((m = rest.match(/^\$[A-Za-z0-9_]*/))) {
      out.push({ t: 'var', v: m[0], sp });
      i += m[0].length;
    } else if ((m = rest.match(/^-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/))) {
      const isFloat = /[.eE]/.test(m[0]) && !m[0].startsWith('0x');
      out.push({ t: 'lit', v: isFloat ? new GoFloat(Number(m[0])) : Number(m[0]), sp });
      i += m[0].length;
    } else if ((m = rest.match(/^[A-Za-z_][A-Za-z0-9_]*/))) {
      const word = m[0];
      if (word === 'true' || word === 'false') out.push({ t: 'lit', v: word === 'true', sp });
      else if (word === 'nil') out.push({ t: 'lit', v: null, sp });
      else out.push({ t: 'ident', v: word, sp });
      i += word.length;
    } else {
      throw new Error(`${at}: unexpected ${JSON.stringify(ch)} in {{ ${src} }}`);
    }
    sp = false;
  }
  return out;
}

// --------------------------------------------------------------------------------------------- parsing

type Operand =
  | { k: 'field'; base: 'dot'; path: string[] }
  | { k: 'var'; name: string; path: string[] }
  | { k: 'lit'; v: unknown }
  | { k: 'ident'; name: string }
  | { k: 'sub'; pipe: Pipe; path: string[] };
type Cmd = Operand[];
interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Cmd[];
}
type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipe; at: string }
  | { k: 'if' | 'with'; pipe: Pipe; body: Node[]; orElse: Node[]; at: string }
  | { k: 'range'; pipe: Pipe; body: Node[]; orElse: Node[]; at: string }
  | { k: 'template'; name: string; pipe: Pipe | null; at: string }
  | { k: 'break' | 'continue' };

class TokenStream {
  i = 0;
  constructor(
    readonly tokens: Token[],
    readonly at: string,
  ) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  next(): Token {
    const token = this.tokens[this.i++];
    if (!token) throw new Error(`${this.at}: unexpected end of action`);
    return token;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
}

function parsePipe(ts: TokenStream, inParens: boolean): Pipe {
  const pipe: Pipe = { decl: [], assign: false, cmds: [] };
  // Declarations: $x := ..., $k, $v := ..., $x = ...
  const a = ts.peek();
  if (a?.t === 'var') {
    const b = ts.peek(1);
    if (b?.t === ':=' || b?.t === '=') {
      pipe.decl = [a.v];
      pipe.assign = b.t === '=';
      ts.i += 2;
    } else if (b?.t === ',' && ts.peek(2)?.t === 'var' && ts.peek(3)?.t === ':=') {
      pipe.decl = [a.v, (ts.peek(2) as { v: string }).v];
      ts.i += 4;
    }
  }
  let cmd: Cmd = [];
  while (!ts.done()) {
    const token = ts.peek() as Token;
    if (token.t === ')') {
      if (!inParens) throw new Error(`${ts.at}: unexpected )`);
      break;
    }
    if (token.t === '|') {
      ts.next();
      if (cmd.length === 0) throw new Error(`${ts.at}: empty command before |`);
      pipe.cmds.push(cmd);
      cmd = [];
      continue;
    }
    cmd.push(parseOperand(ts));
  }
  if (cmd.length === 0) throw new Error(`${ts.at}: missing value in pipeline`);
  pipe.cmds.push(cmd);
  return pipe;
}

function parseOperand(ts: TokenStream): Operand {
  const token = ts.next();
  let operand: Operand;
  switch (token.t) {
    case 'field':
      operand = { k: 'field', base: 'dot', path: [token.v] };
      break;
    case 'dot':
      operand = { k: 'field', base: 'dot', path: [] };
      break;
    case 'var':
      operand = { k: 'var', name: token.v, path: [] };
      break;
    case 'lit':
      operand = { k: 'lit', v: token.v };
      break;
    case 'ident':
      operand = { k: 'ident', name: token.v };
      break;
    case '(': {
      const pipe = parsePipe(ts, true);
      if (ts.next().t !== ')') throw new Error(`${ts.at}: missing )`);
      operand = { k: 'sub', pipe, path: [] };
      break;
    }
    default:
      throw new Error(`${ts.at}: unexpected ${token.t}`);
  }
  // Field chains written without spaces: .a.b, $x.a, (pipe).a
  while (ts.peek()?.t === 'field' && !(ts.peek() as Token).sp) {
    const field = ts.next() as { v: string };
    if (operand.k === 'field' || operand.k === 'var' || operand.k === 'sub') operand.path.push(field.v);
    else throw new Error(`${ts.at}: field access on a literal or function`);
  }
  return operand;
}

function parsePipeFrom(src: string, at: string): Pipe {
  const ts = new TokenStream(tokenize(src, at), at);
  const pipe = parsePipe(ts, false);
  if (!ts.done()) throw new Error(`${at}: unexpected tokens after pipeline in {{ ${src} }}`);
  return pipe;
}

interface Parsed {
  root: Node[];
  defines: Map<string, Node[]>;
}

function parse(items: Item[]): Parsed {
  const defines = new Map<string, Node[]>();
  let pos = 0;

  // Parses nodes until one of the stop keywords; returns the nodes and the stopping action.
  function list(stops: string[]): { nodes: Node[]; stop: { word: string; rest: string; at: string } | null } {
    const nodes: Node[] = [];
    while (pos < items.length) {
      const item = items[pos++];
      if (item.kind === 'text') {
        nodes.push({ k: 'text', text: item.text });
        continue;
      }
      const m = item.src.match(/^([A-Za-z]+)\b\s*([\s\S]*)$/);
      const word = m?.[1] ?? '';
      const rest = m?.[2] ?? '';
      if (stops.includes(word)) return { nodes, stop: { word, rest, at: item.at } };
      switch (word) {
        case 'if':
        case 'with':
        case 'range':
          nodes.push(control(word, rest, item.at));
          break;
        case 'define': {
          const name = JSON.parse(rest.trim()) as string;
          const body = list(['end']);
          if (!body.stop) throw new Error(`${item.at}: define ${name} without end`);
          defines.set(name, body.nodes);
          break;
        }
        case 'template': {
          const ts = new TokenStream(tokenize(rest, item.at), item.at);
          const nameToken = ts.next();
          if (nameToken.t !== 'lit' || typeof nameToken.v !== 'string') throw new Error(`${item.at}: template name`);
          const pipe = ts.done() ? null : parsePipe(ts, false);
          nodes.push({ k: 'template', name: nameToken.v, pipe, at: item.at });
          break;
        }
        case 'break':
        case 'continue':
          nodes.push({ k: word });
          break;
        case 'end':
        case 'else':
          throw new Error(`${item.at}: unexpected {{ ${word} }}`);
        default:
          nodes.push({ k: 'action', pipe: parsePipeFrom(item.src, item.at), at: item.at });
      }
    }
    if (stops.length > 0) throw new Error(`unexpected end of template, expected {{ ${stops.join(' or ')} }}`);
    return { nodes, stop: null };
  }

  function control(word: 'if' | 'with' | 'range', rest: string, at: string): Node {
    const pipe = parsePipeFrom(rest, at);
    const body = list(['else', 'end']);
    let orElse: Node[] = [];
    if (body.stop?.word === 'else') {
      const chained = body.stop.rest.match(/^(if|with)\b\s*([\s\S]*)$/);
      if (chained) {
        // {{ else if x }} / {{ else with x }}: a nested control that shares our {{ end }}.
        orElse = [control(chained[1] as 'if' | 'with', chained[2], body.stop.at)];
      } else {
        const tail = list(['end']);
        orElse = tail.nodes;
      }
    }
    return { k: word, pipe, body: body.nodes, orElse, at };
  }

  const root = list([]).nodes;
  return { root, defines };
}

// ------------------------------------------------------------------------------------------ evaluation

class BreakSignal {}
class ContinueSignal {}

export function unwrap(value: unknown): unknown {
  return value instanceof GoFloat ? value.value : value;
}

function deepUnwrap(value: unknown): unknown {
  if (value instanceof GoFloat) return value.value;
  if (Array.isArray(value)) return value.map(deepUnwrap);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepUnwrap(v)]));
  return value;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoFloat);
}

/**
 * Go's %v of a float64 (strconv.FormatFloat(f, 'g', -1, 64)): the shortest digits, in exponent form when the
 * exponent is below -4 or at least 6, so that 1000000 prints as 1e+06 (the well-known Helm surprise).
 */
function formatFloat(f: number): string {
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : f < 0 ? '-Inf' : 'NaN';
  if (f === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(f)));
  if (exp < -4 || exp >= 6) {
    const [mantissa, e] = f.toExponential().split('e');
    const sign = e.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${e.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return String(f);
}

/** How Go's fmt prints a value in a template action (Helm turns <no value> into ""). */
export function printValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof GoFloat) return formatFloat(value.value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(printValue).join(' ')}]`;
  if (isMap(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${k}:${printValue(value[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  throw new Error(`cannot print ${typeof value}`);
}

export function truth(value: unknown): boolean {
  const v = unwrap(value);
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

function toInt(value: unknown): number {
  const v = unwrap(value);
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) ? Math.trunc(n) : 0;
  }
  return 0;
}

function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function toYamlString(value: unknown): string {
  const plain = deepUnwrap(value);
  if (plain === null || plain === undefined) return 'null';
  return yamlStringify(plain, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).replace(/\n$/, '');
}

function sprintf(format: string, args: unknown[]): string {
  let n = 0;
  return format.replace(/%([-+# 0]*\d*)([svdqtf%])/g, (_, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[n++];
    switch (verb) {
      case 's':
      case 'v':
        return printValue(arg);
      case 'd':
        return String(toInt(arg));
      case 'q':
        return goQuote(printValue(arg));
      case 't':
        return String(truth(arg));
      case 'f':
        return String(Number(unwrap(arg)));
      default:
        throw new Error(`printf verb %${verb}`);
    }
  });
}

export class Engine {
  private readonly defines = new Map<string, Node[]>();
  private readonly funcs: Record<string, Fn>;

  constructor() {
    const cmp = (a: unknown, b: unknown) => {
      const x = unwrap(a);
      const y = unwrap(b);
      return x === y || (x == null && y == null);
    };
    this.funcs = {
      include: (name, data) => this.execDefine(String(name), data),
      toYaml: (v) => toYamlString(v),
      toJson: (v) => JSON.stringify(deepUnwrap(v) ?? null),
      indent: (n, s) => {
        const pad = ' '.repeat(toInt(n));
        return pad + printValue(s).replace(/\n/g, `\n${pad}`);
      },
      nindent: (n, s) => {
        const pad = ' '.repeat(toInt(n));
        return `\n${pad}${printValue(s).replace(/\n/g, `\n${pad}`)}`;
      },
      default: (d, ...given) => (given.length === 0 || !truth(given[0]) ? d : given[0]),
      empty: (v) => !truth(v),
      quote: (...args) =>
        args
          .filter((a) => a !== null && a !== undefined)
          .map((a) => goQuote(printValue(a)))
          .join(' '),
      squote: (...args) =>
        args
          .filter((a) => a !== null && a !== undefined)
          .map((a) => `'${printValue(a)}'`)
          .join(' '),
      trunc: (n, s) => {
        const str = printValue(s);
        const c = toInt(n);
        return c >= 0 ? str.slice(0, c) : str.slice(str.length + c);
      },
      trim: (s) => printValue(s).trim(),
      trimSuffix: (suffix, s) => {
        const str = printValue(s);
        const x = printValue(suffix);
        return x && str.endsWith(x) ? str.slice(0, -x.length) : str;
      },
      trimPrefix: (prefix, s) => {
        const str = printValue(s);
        const x = printValue(prefix);
        return x && str.startsWith(x) ? str.slice(x.length) : str;
      },
      contains: (sub, s) => printValue(s).includes(printValue(sub)),
      hasPrefix: (p, s) => printValue(s).startsWith(printValue(p)),
      hasSuffix: (p, s) => printValue(s).endsWith(printValue(p)),
      replace: (from, to, s) => printValue(s).split(printValue(from)).join(printValue(to)),
      upper: (s) => printValue(s).toUpperCase(),
      lower: (s) => printValue(s).toLowerCase(),
      printf: (format, ...args) => sprintf(String(format), args),
      print: (...args) => args.map(printValue).join(''),
      toString: (v: unknown) => printValue(v),
      int: (v) => toInt(v),
      int64: (v) => toInt(v),
      float64: (v) => new GoFloat(Number(unwrap(v))),
      add: (...args) => args.reduce<number>((sum, a) => sum + toInt(a), 0),
      sub: (a, b) => toInt(a) - toInt(b),
      mul: (...args) => args.reduce<number>((p, a) => p * toInt(a), 1),
      div: (a, b) => Math.trunc(toInt(a) / toInt(b)),
      mod: (a, b) => toInt(a) % toInt(b),
      max: (...args) => Math.max(...args.map(toInt)),
      min: (...args) => Math.min(...args.map(toInt)),
      eq: (a, ...bs) => bs.some((b) => cmp(a, b)),
      ne: (a, b) => !cmp(a, b),
      lt: (a, b) => (unwrap(a) as number) < (unwrap(b) as number),
      le: (a, b) => (unwrap(a) as number) <= (unwrap(b) as number),
      gt: (a, b) => (unwrap(a) as number) > (unwrap(b) as number),
      ge: (a, b) => (unwrap(a) as number) >= (unwrap(b) as number),
      not: (v) => !truth(v),
      and: (...args) => {
        for (const a of args) if (!truth(a)) return a;
        return args[args.length - 1];
      },
      or: (...args) => {
        for (const a of args) if (truth(a)) return a;
        return args[args.length - 1];
      },
      len: (v) => {
        const x = unwrap(v);
        if (typeof x === 'string' || Array.isArray(x)) return x.length;
        if (isMap(x)) return Object.keys(x).length;
        if (x === null || x === undefined) return 0;
        throw new Error(`len of ${typeof x}`);
      },
      list: (...args) => args,
      dict: (...args) => {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < args.length; i += 2) out[printValue(args[i])] = args[i + 1];
        return out;
      },
      hasKey: (m, k) => isMap(m) && Object.prototype.hasOwnProperty.call(m, printValue(k)),
      get: (m, k) => (isMap(m) ? (m[printValue(k)] ?? '') : ''),
      omit: (m, ...ks) => {
        if (!isMap(m)) throw new Error('omit needs a map');
        const drop = new Set(ks.map(printValue));
        return Object.fromEntries(Object.entries(m).filter(([k]) => !drop.has(k)));
      },
      keys: (m) => (isMap(m) ? Object.keys(m) : []),
      sortAlpha: (l) => [...(l as unknown[]).map(printValue)].sort(),
      join: (sep, l) => (l as unknown[]).map(printValue).join(printValue(sep)),
      ternary: (a, b, cond) => (truth(cond) ? a : b),
      b64enc: (s) => Buffer.from(printValue(s), 'utf8').toString('base64'),
      sha256sum: (s) => createHash('sha256').update(printValue(s)).digest('hex'),
      required: (message, v) => {
        if (v === null || v === undefined || v === '') throw new Error(`required: ${printValue(message)}`);
        return v;
      },
      fail: (message) => {
        throw new Error(`fail: ${printValue(message)}`);
      },
      kindIs: (kind, v) => {
        const x = unwrap(v);
        const k = printValue(kind);
        if (k === 'string') return typeof x === 'string';
        if (k === 'map') return isMap(x);
        if (k === 'slice') return Array.isArray(x);
        if (k === 'bool') return typeof x === 'boolean';
        if (k === 'float64') return v instanceof GoFloat;
        if (k === 'int' || k === 'int64') return typeof v === 'number';
        return false;
      },
    };
  }

  /** Adds one file: its {{ define }}s, and its own body under its path (so `include "path" .` works). */
  addFile(name: string, src: string): void {
    const parsed = parse(lexItems(src, name));
    for (const [k, v] of parsed.defines) this.defines.set(k, v);
    this.defines.set(name, parsed.root);
  }

  hasTemplate(name: string): boolean {
    return this.defines.has(name);
  }

  execDefine(name: string, data: unknown): string {
    const nodes = this.defines.get(name);
    if (!nodes) throw new Error(`no template named ${JSON.stringify(name)}`);
    return this.run(nodes, data);
  }

  private run(nodes: Node[], data: unknown): string {
    const out: string[] = [];
    const scopes: Map<string, unknown>[] = [new Map([['$', data]])];
    this.exec(nodes, data, scopes, out);
    return out.join('');
  }

  private exec(nodes: Node[], dot: unknown, scopes: Map<string, unknown>[], out: string[]): void {
    for (const node of nodes) {
      switch (node.k) {
        case 'text':
          out.push(node.text);
          break;
        case 'action': {
          const value = this.wrapErrors(node.at, () => this.evalPipe(node.pipe, dot, scopes));
          if (node.pipe.decl.length === 0) out.push(this.wrapErrors(node.at, () => printValue(value)));
          break;
        }
        case 'if':
        case 'with': {
          scopes.push(new Map());
          const value = this.wrapErrors(node.at, () => this.evalPipe(node.pipe, dot, scopes));
          if (truth(value)) this.exec(node.body, node.k === 'with' ? value : dot, scopes, out);
          else this.exec(node.orElse, dot, scopes, out);
          scopes.pop();
          break;
        }
        case 'range': {
          const pipe = { ...node.pipe, decl: [] as string[] };
          const value = unwrap(this.wrapErrors(node.at, () => this.evalPipe(pipe, dot, scopes)));
          let entries: [unknown, unknown][];
          if (Array.isArray(value)) entries = value.map((v, i) => [i, v]);
          else if (isMap(value)) entries = Object.keys(value).sort().map((k) => [k, value[k]]);
          else if (typeof value === 'number') entries = Array.from({ length: value }, (_, i) => [i, i]);
          else if (value === null || value === undefined) entries = [];
          else throw new Error(`${node.at}: range over ${typeof value}`);
          if (entries.length === 0) {
            scopes.push(new Map());
            this.exec(node.orElse, dot, scopes, out);
            scopes.pop();
            break;
          }
          for (const [key, element] of entries) {
            const scope = new Map<string, unknown>();
            if (node.pipe.decl.length === 1) scope.set(node.pipe.decl[0], element);
            if (node.pipe.decl.length === 2) {
              scope.set(node.pipe.decl[0], key);
              scope.set(node.pipe.decl[1], element);
            }
            scopes.push(scope);
            try {
              this.exec(node.body, element, scopes, out);
            } catch (signal) {
              if (signal instanceof BreakSignal) {
                scopes.pop();
                break;
              }
              if (!(signal instanceof ContinueSignal)) throw signal;
            }
            scopes.pop();
          }
          break;
        }
        case 'template': {
          const data = node.pipe ? this.evalPipe(node.pipe, dot, scopes) : null;
          out.push(this.wrapErrors(node.at, () => this.execDefine(node.name, data)));
          break;
        }
        case 'break':
          throw new BreakSignal();
        case 'continue':
          throw new ContinueSignal();
      }
    }
  }

  private wrapErrors<T>(at: string, f: () => T): T {
    try {
      return f();
    } catch (error) {
      if (error instanceof BreakSignal || error instanceof ContinueSignal) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(message.startsWith('at ') ? message : `at ${at}: ${message}`);
    }
  }

  private evalPipe(pipe: Pipe, dot: unknown, scopes: Map<string, unknown>[]): unknown {
    let value: unknown = undefined;
    let first = true;
    for (const cmd of pipe.cmds) {
      value = this.evalCmd(cmd, dot, scopes, first ? undefined : { value });
      first = false;
    }
    if (pipe.decl.length === 1) {
      const name = pipe.decl[0];
      if (pipe.assign) {
        const scope = [...scopes].reverse().find((s) => s.has(name));
        if (!scope) throw new Error(`undefined variable ${name}`);
        scope.set(name, value);
      } else {
        scopes[scopes.length - 1].set(name, value);
      }
    }
    return value;
  }

  private evalCmd(cmd: Cmd, dot: unknown, scopes: Map<string, unknown>[], piped?: { value: unknown }): unknown {
    const [head, ...rest] = cmd;
    const args = () => {
      const values = rest.map((operand) => this.evalOperand(operand, dot, scopes));
      if (piped) values.push(piped.value);
      return values;
    };
    if (head.k === 'ident') {
      const fn = this.funcs[head.name];
      if (!fn) throw new Error(`function "${head.name}" not defined`);
      return fn(...args());
    }
    const value = this.evalOperand(head, dot, scopes);
    if (typeof value === 'function') return (value as Fn)(...args());
    if (rest.length > 0 || piped) throw new Error(`can't give argument to non-function`);
    return value;
  }

  private evalOperand(operand: Operand, dot: unknown, scopes: Map<string, unknown>[]): unknown {
    switch (operand.k) {
      case 'lit':
        return operand.v;
      case 'ident': {
        const fn = this.funcs[operand.name];
        if (!fn) throw new Error(`function "${operand.name}" not defined`);
        return fn();
      }
      case 'field':
        return fieldPath(dot, operand.path, '.');
      case 'var': {
        const scope = [...scopes].reverse().find((s) => s.has(operand.name));
        if (!scope) throw new Error(`undefined variable "${operand.name}"`);
        return fieldPath(scope.get(operand.name), operand.path, operand.name);
      }
      case 'sub':
        return fieldPath(this.evalPipe(operand.pipe, dot, scopes), operand.path, '(...)');
    }
  }
}

function fieldPath(base: unknown, path: string[], start: string): unknown {
  let value = base;
  let where = start;
  for (const key of path) {
    if (value === null || value === undefined) throw new Error(`nil pointer evaluating ${where}.${key}`);
    if (!isMap(value)) throw new Error(`can't evaluate field ${key} in ${where} (${typeof unwrap(value)})`);
    if (!Object.prototype.hasOwnProperty.call(value, key)) {
      throw new Error(`map has no entry for key "${key}" (${where}.${key})`);
    }
    value = value[key];
    where = `${where === '.' ? '' : where}.${key}`;
  }
  return value;
}
