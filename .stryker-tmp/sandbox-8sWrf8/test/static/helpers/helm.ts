/**
 * Renders helm/kalshi-ingestor the way `helm template` does (values merged over values.yaml, checked against
 * values.schema.json, templates rendered with missingkey=error), using the interpreter in go-template.ts.
 */
// @ts-nocheck

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { Engine, GoFloat } from './go-template';
import { validate } from './json-schema';

export const REPO = path.resolve(__dirname, '../../..');
export const CHART_DIR = path.join(REPO, 'helm/kalshi-ingestor');
const CHART_NAME = 'kalshi-ingestor';

export type Values = Record<string, unknown>;
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

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

/** Helm's coalescing: maps merge key by key, anything else replaces, and null deletes the key. */
export function mergeValues(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    if (value === null) delete out[key];
    else if (isPlainMap(value) && isPlainMap(current)) out[key] = mergeValues(current, value);
    else out[key] = value;
  }
  return out;
}

function isPlainMap(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Numbers from a values file are float64 in Helm. */
function asHelmValues(value: unknown): unknown {
  if (typeof value === 'number') return new GoFloat(value);
  if (Array.isArray(value)) return value.map(asHelmValues);
  if (isPlainMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asHelmValues(v)]));
  return value;
}

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  isInstall?: boolean;
}

export interface Rendered {
  /** Rendered text of each template file, by file name (templates/x.yaml → x.yaml). */
  files: Record<string, string>;
  /** Every Kubernetes object, in file order. */
  objects: K8sObject[];
  notes: string;
  values: Values;
}

export function render(overrides: Values = {}, options: RenderOptions = {}): Rendered {
  const values = mergeValues(defaultValues(), overrides);
  const problems = validate(valuesSchema(), values);
  if (problems.length > 0) throw new Error(`values do not match values.schema.json:\n${problems.join('\n')}`);

  const chartYaml = parseYaml(readChartFile('Chart.yaml')) as Record<string, unknown>;
  const chart = {
    Name: chartYaml.name,
    Version: chartYaml.version,
    AppVersion: chartYaml.appVersion,
    Description: chartYaml.description,
    Type: chartYaml.type,
    KubeVersion: chartYaml.kubeVersion,
  };
  const releaseName = options.releaseName ?? 'kalshi';
  const namespace = options.namespace ?? 'prices';
  const isInstall = options.isInstall ?? true;
  const basePath = `${CHART_NAME}/templates`;

  const engine = new Engine();
  const files = templateFiles();
  for (const file of files) engine.addFile(`${basePath}/${file}`, readChartFile(`templates/${file}`));

  const rootFor = (file: string) => ({
    Values: asHelmValues(values),
    Chart: chart,
    Release: { Name: releaseName, Namespace: namespace, Service: 'Helm', IsInstall: isInstall, IsUpgrade: !isInstall, Revision: 1 },
    Capabilities: {
      KubeVersion: { Version: 'v1.31.0', Major: '1', Minor: '31', GitVersion: 'v1.31.0' },
      APIVersions: { Has: (api: unknown) => ['v1', 'apps/v1', 'batch/v1', 'policy/v1'].includes(String(api)) },
    },
    Template: { Name: `${basePath}/${file}`, BasePath: basePath },
    Files: {
      Get: (name: unknown) => {
        const full = path.join(CHART_DIR, String(name));
        return existsSync(full) ? readFileSync(full, 'utf8') : '';
      },
    },
  });

  const rendered: Record<string, string> = {};
  const objects: K8sObject[] = [];
  let notes = '';
  for (const file of files) {
    if (file.startsWith('_')) continue;
    const text = engine.execDefine(`${basePath}/${file}`, rootFor(file));
    if (file === 'NOTES.txt') {
      notes = text;
      continue;
    }
    rendered[file] = text;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        throw new Error(`templates/${file} renders invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}\n${text}`);
      }
      const object = doc.toJS() as K8sObject | null;
      if (object !== null && object !== undefined) objects.push(object);
    }
  }
  return { files: rendered, objects, notes, values };
}

export function findObject(objects: K8sObject[], kind: string, nameSuffix = ''): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name.endsWith(nameSuffix));
  if (found.length !== 1) throw new Error(`expected one ${kind}${nameSuffix ? ` named *${nameSuffix}` : ''}, found ${found.length}`);
  return found[0];
}
