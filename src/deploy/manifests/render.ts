import { stringify } from 'yaml';
import { autoscaler, conversionJob, deployment, disruptionBudget, secret, service, serviceAccount } from './objects.js';
import type { ManifestOptions } from './options.js';
import type { KubeObject } from './types.js';

/** The objects `deploy` applies, in apply order. The conversion Job comes first when present; the Secret before the Deployment that reads it. */
export function renderManifests(options: ManifestOptions): KubeObject[] {
  return [
    serviceAccount(options),
    conversionJob(options),
    secret(options),
    deployment(options),
    service(options),
    autoscaler(options),
    disruptionBudget(options),
  ].filter((object): object is KubeObject => object !== undefined);
}

/** What printed manifests show instead of a Secret's value. */
export const REDACTED = '(redacted)';

/** A Secret as printed: every data value replaced, so `render` and `deploy --dry-run` never show a secret. */
function redacted(object: KubeObject): KubeObject {
  const data = object['data'];
  if (object.kind !== 'Secret' || typeof data !== 'object' || data === null) return object;
  return { ...object, data: Object.fromEntries(Object.keys(data).map((key) => [key, REDACTED])) };
}

/** A multi-document YAML stream of the objects, Secret values redacted. */
export function manifestsToYaml(objects: readonly KubeObject[]): string {
  return objects.map((object) => stringify(redacted(object), { lineWidth: 0 })).join('---\n');
}

/** File name for `render --out DIR`: `NN-kind-name.yaml`. */
export function manifestFileName(object: KubeObject, index: number): string {
  return `${String(index).padStart(2, '0')}-${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
}
