import type { Command } from 'commander';
import { SETTINGS, type ResolvedSetting, type SettingSource } from '../../config/index.js';
import type { CommandContext } from '../context.js';
import { addEnvFileOption, loadDeploymentSpec } from '../settings.js';

// the rows that travel to pods as Secrets are the secret ones: never printed
const SECRET_KEYS = new Set(SETTINGS.filter((setting) => setting.pod === 'secret').map((setting) => setting.key));

/** Registers `llm-deploy config`: prints the resolved deployment settings with their sources. */
export function registerConfigCommand(program: Command, context: CommandContext): void {
  addEnvFileOption(program.command('config'))
    .description('Validate an env file and print every resolved setting with its source (file:line, environment, default).')
    .option('--json', 'print JSON instead of a table')
    .addHelpText(
      'after',
      '\nExample:\n  llm-deploy config --env-file prod.env\n  llm-deploy config --env-file prod.env --json | jq .settings.MODEL_NAME\n\nExit codes: 0 valid, 2 invalid (every problem is listed, nothing is started).',
    )
    .action(async (options: { envFile?: string; json?: boolean }) => {
      const loaded = await loadDeploymentSpec(options.envFile, context);
      const rows = [...SETTINGS.map((setting) => setting.key), 'MODEL_SOURCE']
        .map((key) => loaded.sources.get(key))
        .filter((entry): entry is ResolvedSetting => entry !== undefined);
      if (options.json === true) {
        const settings = Object.fromEntries(rows.map((row) => [row.key, { value: shown(row), source: describeSource(row.source) }]));
        context.stdout.write(`${JSON.stringify({ settings, warnings: loaded.warnings }, null, 2)}\n`);
        return;
      }
      const width = Math.max(...rows.map((row) => row.key.length));
      for (const row of rows) {
        context.stdout.write(`${row.key.padEnd(width)}  ${String(shown(row)).padEnd(40)}  ${describeSource(row.source)}\n`);
      }
    });
}

function shown(row: ResolvedSetting): unknown {
  return SECRET_KEYS.has(row.key) ? '(set, hidden)' : row.value;
}

/** "prod.env:3", "environment", "default", "derived: ...", "flag --port". */
export function describeSource(source: SettingSource): string {
  switch (source.kind) {
    case 'file':
      return `${source.file}:${source.line}`;
    case 'environment':
      return 'environment';
    case 'default':
      return 'default';
    case 'derived':
      return `derived: ${source.rule}`;
    case 'flag':
      return `flag ${source.flag}`;
    default: {
      const unreachable: never = source;
      return unreachable;
    }
  }
}
