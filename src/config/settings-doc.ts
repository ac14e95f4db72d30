import { SETTINGS, type SettingGroup } from './settings-table.js';

const GROUP_TITLES: Record<SettingGroup, string> = {
  deployment: 'Deployment spec (read by deploy, render, status, teardown, config)',
  provisioning: 'GKE provisioning',
  autoscaling: 'Replicas and autoscaling',
  server: 'Server (serve; also passed to the pods)',
  limits: 'Request limits',
  engine: 'Native engine',
  paths: 'Local paths and Cloud Storage',
};

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
        `${setting.description} Accepts ${setting.parser.expected}.`,
        `\`${setting.example}\``,
      ];
      return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
    });
    sections.push(
      `#### ${GROUP_TITLES[group]}\n\n| name | required | default | meaning | example |\n|---|---|---|---|---|\n${rows.join('\n')}`,
    );
  }
  return sections.join('\n\n');
}
