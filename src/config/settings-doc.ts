import { SETTINGS, type SettingDefinition, type SettingGroup } from './settings-table.js';

const GROUP_TITLES: Record<SettingGroup, string> = {
  deployment: 'Deployment spec (read by deploy, render, status, teardown, config)',
  provisioning: 'GKE provisioning',
  autoscaling: 'Replicas and autoscaling',
  server: 'Server (serve; also passed to the pods)',
  limits: 'Request limits',
  engine: 'Native engine',
  paths: 'Local paths and Cloud Storage',
};

const READER_NAMES = { deployment: 'spec', serve: 'serve', tokenize: 'tokenize', convert: 'convert' } as const;

/** "serve, spec; pod: env" — who reads the row, and how deployed pods get it. */
function readBy(setting: SettingDefinition): string {
  const readers = setting.readers.map((reader) => READER_NAMES[reader]).join(', ');
  const flag = setting.flag === undefined ? '' : ` (\`${setting.flag.split(' ')[0]}\`)`;
  const pod = setting.pod === undefined ? '' : setting.pod === 'secret' ? '; pod: Secret' : '; pod: env';
  return `${readers}${flag}${pod}`;
}

/** The README's settings tables, generated from the one settings table so they cannot drift. */
export function settingsMarkdown(): string {
  const sections: string[] = [];
  for (const group of Object.keys(GROUP_TITLES) as SettingGroup[]) {
    const rows = SETTINGS.filter((setting) => setting.group === group).map((setting) => {
      const required = setting.requiredForDeployment === true ? 'yes' : 'no';
      const given = setting.defaultValue === undefined ? [] : [`\`${setting.defaultValue}\``];
      const fallback = [...given, ...(setting.derivedDefault === undefined ? [] : [setting.derivedDefault])].join('; ');
      const cells = [
        `\`${setting.key}\``,
        required,
        fallback,
        readBy(setting),
        `${setting.description} Accepts ${setting.parser.expected}.`,
        `\`${setting.example}\``,
      ];
      return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
    });
    sections.push(
      `#### ${GROUP_TITLES[group]}\n\n| name | required | default | read by | meaning | example |\n|---|---|---|---|---|---|\n${rows.join('\n')}`,
    );
  }
  return sections.join('\n\n');
}
