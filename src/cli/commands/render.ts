import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { manifestFileName, manifestOptionsFromSettings, manifestsToYaml, podMemoryWarning, renderManifests } from '../../deploy/index.js';
import type { CommandContext } from '../context.js';
import { addEnvFileOption, loadDeploymentSpec } from '../settings.js';

/** Registers `llm-deploy render`: the Kubernetes manifests `deploy` would apply, as YAML. */
export function registerRenderCommand(program: Command, context: CommandContext): void {
  addEnvFileOption(program.command('render'))
    .description(
      'Print (or write) the Kubernetes manifests for the deployment spec: ServiceAccount, conversion Job (FasterTransformer), Deployment, Service, optional HPA and PDB.',
    )
    .option('--out <dir>', 'write one YAML file per object into this directory instead of printing')
    .option('--namespace <ns>', 'Kubernetes namespace', 'default')
    .addHelpText(
      'after',
      '\nExamples:\n  llm-deploy render --env-file prod.env | kubectl apply -f -\n  llm-deploy render --env-file prod.env --out manifests/',
    )
    .action(async (options: { envFile?: string; out?: string; namespace: string }) => {
      const { settings } = await loadDeploymentSpec(options.envFile, context);
      const memoryWarning = await podMemoryWarning(settings);
      if (memoryWarning !== undefined) context.stderr.write(`warning: ${memoryWarning}\n`);
      const objects = renderManifests(manifestOptionsFromSettings(settings, options.namespace));
      if (options.out === undefined) {
        context.stdout.write(manifestsToYaml(objects));
        return;
      }
      const outDir = options.out;
      await mkdir(outDir, { recursive: true });
      for (const [index, object] of objects.entries()) {
        const path = join(outDir, manifestFileName(object, index));
        await writeFile(path, manifestsToYaml([object]));
        context.stdout.write(`wrote ${path}\n`);
      }
    });
}
