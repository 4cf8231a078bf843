/**
 * Validation of rendered objects against the Kubernetes API schemas (kubernetes-models, the offline counterpart
 * of kubeconform) and the prometheus-operator CRDs (@kubernetes-models/prometheus-operator). Unlike
 * `kubeconform -strict` (the workflow's helm job), these schemas do not refuse unknown fields.
 */
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { K8sObject } from './helm';

interface Model {
  validate(): void;
}
type ModelClass = new (data: never) => Model;

/** The kinds the chart may render, by `apiVersion/kind`; anything else is a test failure. */
const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** The schema errors of an object (empty when valid), named `Kind/name: …`. */
export function schemaProblems(object: K8sObject): string[] {
  const name = `${object.kind}/${object.metadata?.name ?? '?'}`;
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (Model === undefined) return [`${name}: no schema known for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    return [`${name}: ${(error as Error).message}`];
  }
}
