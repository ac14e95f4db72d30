import { stringify } from 'yaml';
import { autoscaler, conversionJob, deployment, disruptionBudget, service, serviceAccount } from './objects.js';
import type { ManifestOptions } from './options.js';
import type { KubeObject } from './types.js';

/** The objects `deploy` applies, in apply order. The conversion Job comes first when present. */
export function renderManifests(options: ManifestOptions): KubeObject[] {
  return [
    serviceAccount(options),
    conversionJob(options),
    deployment(options),
    service(options),
    autoscaler(options),
    disruptionBudget(options),
  ].filter((object): object is KubeObject => object !== undefined);
}

/** A multi-document YAML stream of the objects. */
export function manifestsToYaml(objects: readonly KubeObject[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
}

/** File name for `render --out DIR`: `NN-kind-name.yaml`. */
export function manifestFileName(object: KubeObject, index: number): string {
  return `${String(index).padStart(2, '0')}-${object.kind.toLowerCase()}-${object.metadata.name}.yaml`;
}
