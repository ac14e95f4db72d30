import { bindingLine, grantAll, revokeAll, type IamEditors } from '../iam/apply.js';
import { IAM_BINDINGS_ANNOTATION, mergeBindings, recordedBindings, type IamBinding } from '../iam/iam-plan.js';
import type { KubeApi } from '../kube/client.js';
import { applyAll } from '../kube/rollout.js';
import { serviceAccount } from '../manifests/objects.js';
import type { ManifestOptions } from '../manifests/options.js';

/**
 * Grants the planned bindings and records on the KSA those deploy added, now and on earlier deploys (a binding
 * that was there before any deploy is never recorded). The KSA is applied with the record at once, so no grant
 * is left unrecorded; if that fails, this call's grants are taken back. Returns the manifest carrying the record.
 */
export async function grantAndRecord(
  api: KubeApi,
  editors: IamEditors,
  options: { manifest: ManifestOptions; bindings: readonly IamBinding[]; note: (message: string) => void; retryDelayMs?: number },
): Promise<ManifestOptions> {
  const { manifest, note } = options;
  const earlier = recordedBindings(
    (await api.readAnnotations(serviceAccount(manifest)))?.[IAM_BINDINGS_ANNOTATION],
    manifest.serviceAccountName,
  );
  const added = await grantAll(editors, options.bindings);
  const ours = (binding: IamBinding) => added.includes(binding) || mergeBindings(earlier, [binding]).length === earlier.length;
  for (const binding of options.bindings)
    note(`${ours(binding) ? 'granted' : 'already granted before deploy (kept on teardown)'}: ${bindingLine(binding)}`);
  const recorded = { ...manifest, iamBindingsRecord: JSON.stringify(mergeBindings(earlier, added)) };
  try {
    await applyAll(api, [serviceAccount(recorded)], {
      onRetry: note,
      ...(options.retryDelayMs === undefined ? {} : { initialDelayMs: options.retryDelayMs }),
    });
  } catch (error) {
    await revokeAll(editors, added).catch(() => undefined);
    throw error;
  }
  return recorded;
}

/** Removes the bindings recorded on the KSA (before the KSA itself goes); one line per binding. */
export async function revokeRecorded(
  api: KubeApi,
  editors: IamEditors,
  manifest: ManifestOptions,
  write: (line: string) => void,
): Promise<void> {
  const annotations = await api.readAnnotations(serviceAccount(manifest));
  const recorded = recordedBindings(annotations?.[IAM_BINDINGS_ANNOTATION], manifest.serviceAccountName);
  const removed = await revokeAll(editors, recorded);
  for (const binding of recorded) write(`iam: ${removed.includes(binding) ? 'revoked' : 'already gone'}: ${bindingLine(binding)}`);
}
