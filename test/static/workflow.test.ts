/**
 * .github/workflows/ci.yml: parses, runs on push and pull requests, and has the jobs the project relies on
 * (tests against real Postgres and Redis, helm lint + kubeconform, hadolint, docker build).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO } from './helpers/helm';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  services?: Record<string, { image: string; options?: string; ports?: string[] }>;
  env?: Record<string, string>;
  steps: Step[];
}
const workflow = parseYaml(readFileSync(path.join(REPO, '.github/workflows/ci.yml'), 'utf8')) as {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
};
const runs = (job: Job) => job.steps.flatMap((s) => (s.run === undefined ? [] : [s.run.trim()])).join('\n');
const uses = (job: Job) => job.steps.map((s) => s.uses).filter((u): u is string => u !== undefined);

describe('GitHub workflow', () => {
  test('runs on push and pull_request', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
  });

  test('has the test, helm, hadolint and docker jobs', () => {
    expect(Object.keys(workflow.jobs).sort()).toEqual(['docker', 'hadolint', 'helm', 'test']);
  });

  test('every action is pinned to a version', () => {
    const all = Object.values(workflow.jobs).flatMap(uses);
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const action of all) expect(action).toMatch(/^[\w.-]+\/[\w.-]+@v\d+(\.\d+){0,2}$/);
  });

  test('test: Node 20 against postgres:16 and redis:7 service containers with health checks', () => {
    const job = workflow.jobs.test;
    expect(job.services?.postgres.image).toMatch(/^postgres:16/);
    expect(job.services?.redis.image).toMatch(/^redis:7/);
    expect(job.services?.postgres.options).toContain('--health-cmd');
    expect(job.services?.redis.options).toContain('--health-cmd');
    const setupNode = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(String(setupNode?.with?.['node-version'])).toBe('20');
    expect(runs(job).split('\n')).toEqual(['bash scripts/setup-redis.sh', 'npm ci', 'npm run typecheck', 'npm run lint', 'npm test']);
    expect(job.env?.DATABASE_URL).toMatch(/^postgres:\/\/.*@localhost:5432\//);
    expect(job.env?.REDIS_URL).toBe('redis://localhost:6379');
  });

  test('typecheck and lint work straight after npm ci: each builds the client package its types come from', () => {
    const scripts = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['typecheck', 'lint', 'test']) {
      expect(scripts[name]).toMatch(/^npm run build --silent( -w packages\/client)? && /);
    }
  });

  test('helm: the Helm major the tests run (v4)', () => {
    const setup = workflow.jobs.helm.steps.find((s) => s.uses?.startsWith('azure/setup-helm@'));
    expect(String(setup?.with?.version)).toMatch(/^v4\./);
  });

  test('helm: lint --strict and kubeconform of the rendered chart, CRDs from the datree catalog', () => {
    const job = workflow.jobs.helm;
    expect(uses(job)).toEqual(expect.arrayContaining([expect.stringMatching(/^azure\/setup-helm@/)]));
    const script = runs(job);
    expect(script).toContain('helm lint --strict helm/kalshi-ingestor');
    expect(script).toMatch(/helm template kalshi-ingestor helm\/kalshi-ingestor \\\s*\n\s*\| kubeconform -strict -summary -schema-location default -schema-location 'https:\/\/raw\.githubusercontent\.com\/datreeio\/CRDs-catalog\/main\/\{\{\.Group\}\}\/\{\{\.ResourceKind\}\}_\{\{\.ResourceAPIVersion\}\}\.json'/);
  });

  test('hadolint and a docker build that does not push', () => {
    expect(uses(workflow.jobs.hadolint)).toEqual(expect.arrayContaining([expect.stringMatching(/^hadolint\/hadolint-action@/)]));
    const build = workflow.jobs.docker.steps.find((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(build?.with?.push).toBe(false);
    expect(build?.with?.context).toBe('.');
  });
});
