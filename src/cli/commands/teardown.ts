import type { Command } from 'commander';
import { LlmDeployError } from '../../config/index.js';
import { teardownLocal } from '../../deploy/index.js';
import type { CommandContext } from '../context.js';
import { loadDeploymentSpec } from '../settings.js';

/** Registers `llm-deploy teardown`: delete what deploy created. */
export function registerTeardownCommand(program: Command, context: CommandContext): void {
  program
    .command('teardown')
    .description('Delete what `deploy` created for the spec. Local target: SIGTERM, wait for the drain, remove the state.')
    .requiredOption('--env-file <file>', 'Docker-style env file (KEY=VALUE per line); it wins over the process environment')
    .option('--yes', 'do not ask before deleting a cluster that deploy created')
    .addHelpText('after', '\nExample:\n  llm-deploy teardown --env-file local.env')
    .action(async (options: { envFile: string; yes?: boolean }) => {
      const { settings } = await loadDeploymentSpec(options.envFile, context);
      if (settings.deployTarget === 'gke') {
        throw new LlmDeployError('teardown for the gke target is not implemented yet; use kubectl delete -f <(llm-deploy render ...)', {
          code: 'CLI_NOT_IMPLEMENTED',
          httpStatus: 501,
        });
      }
      const name = settings.modelName ?? 'model';
      const outcome = await teardownLocal({ stateRoot: settings.stateDir, name, drainTimeoutMs: settings.drainTimeoutMs });
      const messages = { stopped: 'stopped and removed', cleaned: 'was not running; stale state removed', absent: 'nothing to tear down' };
      context.stdout.write(`${name}: ${messages[outcome]}\n`);
    });
}
