/**
 * docs/DEPLOYING.md and docs/OPERATING.md stay true to the chart: every alert has its runbook section (the
 * anchor runbook_url points at), every metric and every variable of the contract is documented, every
 * top-level value is mentioned.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EnvSchema } from '../../src/config';
import { contractMetricNames } from './helpers/contract';
import { REPO, defaultValues, findObject, render, type K8sObject } from './helpers/helm';

const operating = readFileSync(path.join(REPO, 'docs/OPERATING.md'), 'utf8');
const deploying = readFileSync(path.join(REPO, 'docs/DEPLOYING.md'), 'utf8');

/** GitHub's anchor of a heading. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

describe('docs', () => {
  test('OPERATING.md has a section for each alert, at the anchor its runbook_url names', () => {
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

  test('OPERATING.md explains every metric of the contract, the rollback and REST-only mode', () => {
    for (const metric of contractMetricNames()) expect([metric, operating.includes(`\`${metric}`)]).toEqual([metric, true]);
    expect(operating).toContain('--replicas=0');
    expect(operating).toContain('KALSHI_WS_ENABLED=false');
  });

  test('DEPLOYING.md maps every variable of the contract and mentions every top-level value', () => {
    for (const name of Object.keys(EnvSchema.properties)) expect([name, deploying.includes(`\`${name}\``)]).toEqual([name, true]);
    for (const key of Object.keys(defaultValues())) expect([key, deploying.includes(`\`${key}`)]).toEqual([key, true]);
  });
});
