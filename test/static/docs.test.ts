/**
 * docs/DEPLOYING.md and docs/OPERATING.md stay true to the chart: every alert has its runbook section (the
 * anchor runbook_url points at), every metric and every variable of the contract is documented, every
 * top-level value is mentioned.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { EnvSchema } from '../../src/config';
import { contractMetricNames } from './helpers/contract';
import { REPO, defaultValues, findObject, render, type K8sObject } from './helpers/helm';

const operating = readFileSync(path.join(REPO, 'docs/OPERATING.md'), 'utf8');
const deploying = readFileSync(path.join(REPO, 'docs/DEPLOYING.md'), 'utf8');

/** GitHub's anchor of a heading. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

describe('docs', () => {
  test('docs/OPERATING.md has a section for each alert, at the anchor its runbook_url names', () => {
    const { objects } = render({ metrics: { prometheusRule: { enabled: true, runbookBaseUrl: 'https://x/OPERATING.md' } } });
    const rule = findObject(objects, 'PrometheusRule') as K8sObject & {
      spec: { groups: { rules: { alert: string; annotations: { runbook_url: string } }[] }[] };
    };
    const anchors = new Set([...operating.matchAll(/^#{2,4} (.+)$/gm)].map((m) => anchor(m[1])));
    const alerts = rule.spec.groups.flatMap((g) => g.rules);
    expect(alerts).toHaveLength(7);
    for (const alert of alerts) {
      const target = alert.annotations.runbook_url.split('#')[1];
      expect([alert.alert, anchors.has(target)]).toEqual([alert.alert, true]);
    }
  });

  test('docs/OPERATING.md explains every metric of the contract, the rollback and REST-only mode', () => {
    for (const metric of contractMetricNames()) expect([metric, operating.includes(`\`${metric}`)]).toEqual([metric, true]);
    expect(operating).toContain('--replicas=0');
    expect(operating).toContain('KALSHI_WS_ENABLED=false');
  });

  test('docs/DEPLOYING.md maps every variable of the contract and mentions every top-level value', () => {
    for (const name of Object.keys(EnvSchema.properties)) expect([name, deploying.includes(`\`${name}\``)]).toEqual([name, true]);
    for (const key of Object.keys(defaultValues())) expect([key, deploying.includes(`\`${key}`)]).toEqual([key, true]);
  });

  test('the README is a front door: short, the commands that work, every document linked', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    // Five minutes at a reading pace of about 200 words a minute, code included.
    expect(readme.split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(1000);
    expect(readme.split('\n').length).toBeLessThanOrEqual(120);
    const shell = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
    expect(shell).toMatch(/^npm ci\b/m);
    expect(shell).toMatch(/^npm run demo\b/m);
    expect(shell).toMatch(/^npm test\b/m);
    // The test command the README gives is the one CI runs.
    const ci = readFileSync(path.join(REPO, '.ci/run'), 'utf8');
    expect(ci).toMatch(/^npm test$/m);
    expect(ci).toMatch(/^npm run lint$/m);
    for (const doc of readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md'))) {
      expect([doc, readme.includes(`](docs/${doc})`)]).toEqual([doc, true]);
    }
  });

  test('docs/ARCHITECTURE.md has the sections the README and the code cite, and both walks', () => {
    const architecture = readFileSync(path.join(REPO, 'docs/ARCHITECTURE.md'), 'utf8');
    const headings = new Set([...architecture.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]));
    for (const heading of ['The data path', 'The price rules', "A game's whole life", 'Leadership, terms and fencing', 'Feed health', 'Walk through the code', 'One price', 'One leader term', 'Tests', 'Layout']) {
      expect([heading, headings.has(heading)]).toEqual([heading, true]);
    }
    expect(architecture).not.toMatch(/WALK_(PRICE|TERM)/);
  });
});
