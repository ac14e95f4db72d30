// Renders deployment specs as `render` does and checks the objects against the Kubernetes schemas (kubernetes-models).
import assert from 'node:assert/strict';
import { Secret, ServiceAccount, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { loadSettings, parseEnvFile } from '../../../config/index.js';
import { manifestOptionsFromSettings } from '../options.js';
import { renderManifests } from '../render.js';
import type { KubeObject } from '../types.js';

/** A schema validator per rendered kind; each throws on an object its schema forbids. */
export const VALIDATORS: Record<string, (object: KubeObject) => void> = {
  ServiceAccount: (object) => new ServiceAccount(object as ConstructorParameters<typeof ServiceAccount>[0]).validate(),
  Secret: (object) => new Secret(object as ConstructorParameters<typeof Secret>[0]).validate(),
  Service: (object) => new Service(object as ConstructorParameters<typeof Service>[0]).validate(),
  Deployment: (object) => new Deployment(object as ConstructorParameters<typeof Deployment>[0]).validate(),
  Job: (object) => new Job(object as ConstructorParameters<typeof Job>[0]).validate(),
  HorizontalPodAutoscaler: (object) =>
    new HorizontalPodAutoscaler(object as ConstructorParameters<typeof HorizontalPodAutoscaler>[0]).validate(),
  PodDisruptionBudget: (object) => new PodDisruptionBudget(object as ConstructorParameters<typeof PodDisruptionBudget>[0]).validate(),
};

/** Validates every object against its kind's schema; an unknown kind fails. */
export function validateAll(objects: readonly KubeObject[]): void {
  for (const object of objects) {
    const validate = VALIDATORS[object.kind];
    assert.ok(validate !== undefined, `no validator for ${object.kind}`);
    validate(object);
  }
}

/** The manifests of the spec `lines` (MODEL_SOURCE_PATH first, a gs:// T5 unless `source` is given). */
export function render(lines: readonly string[], source = 'gs://my-bucket/models/flan-t5-base'): KubeObject[] {
  const text = [`MODEL_SOURCE_PATH=${source}`, ...lines].join('\n');
  const { settings } = loadSettings({ mode: 'deployment', env: {}, envFile: parseEnvFile(text, { file: 'spec.env', env: {} }) });
  return renderManifests(manifestOptionsFromSettings(settings));
}

/** The first object of `kind`, as plain JSON. */
export function find(objects: readonly KubeObject[], kind: string): Record<string, unknown> {
  const object = objects.find((candidate) => candidate.kind === kind);
  assert.ok(object !== undefined, `${kind} not rendered`);
  return JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
}

/** A tiny path reader for assertions: get(obj, 'spec.template.spec.containers.0.name'). */
export function get(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (current, key) => (current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined),
      value,
    );
}
