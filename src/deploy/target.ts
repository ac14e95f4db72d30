/**
 * One interface for every place `deploy`, `status` and `teardown` can act on (this machine, a GKE
 * cluster, any cluster through a kubeconfig), so the commands never branch on the target.
 */
export interface DeployTarget {
  /** `local`, `gke` or `kubeconfig`. */
  readonly kind: TargetKind;
  /** Where it deploys, in one line (e.g. "this machine, state in ~/.local/state/llm-deploy/flan"). */
  describe(): string;
  /** What `deploy` would do, as text; calls nothing. */
  dryRun(): string;
  /** Deploys (replacing what the same spec deployed before) and resolves once it answers. */
  deploy(options: TargetDeployOptions): Promise<TargetDeployment>;
  /** What runs for the spec now. */
  status(): Promise<TargetStatus>;
  /** Removes what `deploy` created; writes one line per thing removed or kept. */
  teardown(options: TargetTeardownOptions): Promise<TeardownOutcome>;
  /**
   * `deploy --cleanup`: removes what that deploy call created, and only that: the deployment, the
   * converted model it wrote, the cluster it created (never one that was there before).
   */
  cleanup(deployment: TargetDeployment, options: { readonly write: (line: string) => void }): Promise<void>;
}

/** The implementations of {@link DeployTarget}. */
export type TargetKind = 'local' | 'gke' | 'kubeconfig';

/** Options of {@link DeployTarget.deploy}. */
export interface TargetDeployOptions {
  /** How long to wait for readiness (the local server, or the rollout), ms. */
  readonly readyTimeoutMs: number;
  /** How long the conversion Job may run on a cluster, ms. */
  readonly jobTimeoutMs: number;
  /** Receives each progress line. */
  readonly write: (line: string) => void;
}

/** Where a deployment answers. */
export interface TargetDeployment {
  /** The HTTP API's base URL; undefined when a cluster reported no node address or NodePort. */
  readonly url: string | undefined;
  /** What to print once it is ready: where it runs and ready-to-paste commands. */
  readonly summary: string;
  /** What this deploy call created, for {@link DeployTarget.cleanup}. */
  readonly created: CreatedResources;
}

/** What one deploy call created besides the deployment itself. */
export interface CreatedResources {
  /** The GKE cluster, when this call created it (not found). */
  readonly clusterName?: string;
  /** CONVERTED_MODEL_UPLOAD_PATH, when this call's conversion wrote it. */
  readonly convertedModel?: string;
}

/** What {@link DeployTarget.status} reports. */
export interface TargetStatus {
  /** `none`: nothing runs for the spec (stale local state counts as none). */
  readonly state: 'ready' | 'not-ready' | 'none';
  /** Human-readable lines, each ending with a newline. */
  readonly text: string;
  /** The same facts for `status --json`. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Options of {@link DeployTarget.teardown}. */
export interface TargetTeardownOptions {
  /**
   * Asked before deleting a cluster that deploy created, with its name; resolves to true to delete.
   * Resolve to false to refuse; nothing is deleted then.
   */
  readonly confirmClusterDeletion: (clusterName: string) => Promise<boolean>;
  readonly write: (line: string) => void;
}

/** `removed`: something was stopped or deleted; `cleaned`: only stale state went; `absent`: there was nothing. */
export type TeardownOutcome = 'removed' | 'cleaned' | 'absent';
