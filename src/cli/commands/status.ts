import type { Command } from 'commander';
import { LlmDeployError } from '../../config/index.js';
import { localStatus } from '../../deploy/index.js';
import { EXIT, type CommandContext } from '../context.js';
import { loadDeploymentSpec } from '../settings.js';

/** Registers `llm-deploy status`: what is running for the spec. */
export function registerStatusCommand(program: Command, context: CommandContext): void {
  program
    .command('status')
    .description(
      'Show what is running for the deployment spec (pid, URL and readiness on the local target).\nExit codes: 0 running and ready, 1 not running or not ready.',
    )
    .requiredOption('--env-file <file>', 'Docker-style env file (KEY=VALUE per line); it wins over the process environment')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  llm-deploy status --env-file local.env')
    .action(async (options: { envFile: string; json?: boolean }) => {
      const { settings } = await loadDeploymentSpec(options.envFile, context);
      if (settings.deployTarget === 'gke') {
        throw new LlmDeployError('status for the gke target is not implemented yet; use kubectl get deploy,svc,pods', {
          code: 'CLI_NOT_IMPLEMENTED',
          httpStatus: 501,
        });
      }
      const name = settings.modelName ?? 'model';
      const status = await localStatus(settings.stateDir, name);
      if (options.json === true) context.stdout.write(`${JSON.stringify({ target: 'local', name, ...status })}\n`);
      else if (status.state === 'running') {
        context.stdout.write(
          `${name}: running (pid ${status.record.pid}) at ${status.url}, ${status.ready ? 'ready' : 'NOT ready'}; model ${status.record.modelSource}; started ${status.record.startedAt}\n`,
        );
      } else if (status.state === 'stale') {
        context.stdout.write(`${name}: not running (stale state left by a server that died; \`teardown\` cleans it up)\n`);
      } else context.stdout.write(`${name}: not deployed on this machine\n`);
      if (!(status.state === 'running' && status.ready)) context.setExitCode(EXIT.failure);
    });
}
