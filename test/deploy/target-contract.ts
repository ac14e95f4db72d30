// The contract every deploy target keeps (local, gke, kubeconfig), run by each implementation's test file
// against its real or loopback world: deploy, status, deploy again, teardown, and teardown of nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeployTarget, TargetStatus } from '../../src/deploy/index.js';

/** One implementation's world for the contract. */
export interface TargetWorld {
  readonly target: DeployTarget;
  /** The deployment's name as status prints it. */
  readonly name: string;
  /** Calls made to the outside (cluster APIs, processes), to check that a dry run makes none. */
  readonly calls: () => Promise<number>;
  /** What shows that a second deploy replaced (or re-applied) the first rather than adding a second one. */
  readonly assertReplaced: (first: TargetStatus, second: TargetStatus) => void;
  readonly close: () => Promise<void>;
}

/** Options of {@link runTargetContract}. */
export interface TargetContractOptions {
  readonly title: string;
  readonly create: () => Promise<TargetWorld>;
  readonly readyTimeoutMs?: number;
}

/** Runs the shared deploy-target contract against one implementation. */
export function runTargetContract(options: TargetContractOptions): void {
  describe(`deploy target contract: ${options.title}`, () => {
    let world: TargetWorld;
    const lines: string[] = [];
    const asked: string[] = [];
    const write = (line: string): void => void lines.push(line);
    const confirmClusterDeletion = (name: string): Promise<boolean> => {
      asked.push(name);
      return Promise.resolve(true);
    };
    const deploy = () => world.target.deploy({ readyTimeoutMs: options.readyTimeoutMs ?? 60_000, jobTimeoutMs: 10_000, write });

    before(async () => {
      world = await options.create();
    });
    after(async () => {
      await world.target.teardown({ confirmClusterDeletion, write }).catch(() => undefined);
      await world.close();
    });

    it('describes where it deploys, and a dry run calls nothing', async () => {
      const callsBefore = await world.calls();
      assert.ok(world.target.describe().length > 0);
      assert.ok(world.target.dryRun().length > 0);
      assert.equal(await world.calls(), callsBefore);
    });

    it('before any deploy: status shows nothing, and teardown of nothing says so', async () => {
      const status = await world.target.status();
      assert.equal(status.state, 'none', status.text);
      assert.ok(status.text.includes(world.name), status.text);
      lines.length = 0;
      assert.equal(await world.target.teardown({ confirmClusterDeletion, write }), 'absent');
      assert.ok(
        lines.some((line) => /nothing/.test(line)),
        lines.join('\n'),
      );
      assert.deepEqual(asked, [], 'nothing to delete, nothing asked');
    });

    it('deploy -> status shows it ready -> deploy again replaces it -> teardown -> status shows nothing', async () => {
      const deployment = await deploy();
      assert.ok(deployment.url !== undefined && /^http:\/\//.test(deployment.url), deployment.summary);
      assert.ok(deployment.summary.includes(`${deployment.url}/infer`), deployment.summary);
      const first = await world.target.status();
      assert.equal(first.state, 'ready', first.text);
      assert.ok(first.text.includes(world.name), first.text);

      await deploy();
      const second = await world.target.status();
      assert.equal(second.state, 'ready', second.text);
      world.assertReplaced(first, second);

      lines.length = 0;
      assert.equal(await world.target.teardown({ confirmClusterDeletion, write }), 'removed');
      const gone = await world.target.status();
      assert.equal(gone.state, 'none', gone.text);
      assert.equal(await world.target.teardown({ confirmClusterDeletion, write }), 'absent');
    });
  });
}
