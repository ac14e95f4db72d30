export { manifestOptionsFromSettings, HTTP_PORT, KSERVE_PORT } from './manifests/options.js';
export type { ManifestOptions } from './manifests/options.js';
export { labelsFor, servingLabelsFor } from './manifests/objects.js';
export { manifestFileName, manifestsToYaml, renderManifests } from './manifests/render.js';
export type { Container, KubeObject, ObjectMeta, Probe } from './manifests/types.js';
