import { LlmDeployError } from './llm-deploy-error.js';

/** One invalid or missing setting, with where it came from. */
export interface SettingProblem {
  readonly key: string;
  readonly file?: string;
  readonly line?: number;
  /** The command-line flag that gave the value, when one did. */
  readonly flag?: string;
  /** The raw value given; absent when the key was missing. */
  readonly given?: string;
  readonly expected: string;
  readonly message: string;
}

/** All problems of one settings load, reported together; nothing is started. */
export class ConfigInvalidError extends LlmDeployError {
  readonly problems: readonly SettingProblem[];
  readonly warnings: readonly string[];

  constructor(problems: readonly SettingProblem[], warnings: readonly string[] = []) {
    const lines = problems.map((problem) => `  - ${describeProblem(problem)}`);
    const warningLines = warnings.length === 0 ? '' : `\nwarnings:\n${warnings.map((warning) => `  - ${warning}`).join('\n')}`;
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the settings:\n${lines.join('\n')}${warningLines}`, {
      code: 'CONFIG_INVALID',
      httpStatus: 400,
    });
    this.name = 'ConfigInvalidError';
    this.problems = problems;
    this.warnings = warnings;
  }
}

/** "file:line: KEY: message (given 'x'; expected y)". */
export function describeProblem(problem: SettingProblem): string {
  const where =
    problem.flag !== undefined
      ? `flag ${problem.flag}`
      : problem.file === undefined
        ? 'environment'
        : `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}`;
  const given = problem.given === undefined ? '' : `given ${JSON.stringify(problem.given)}; `;
  return `${where}: ${problem.key}: ${problem.message} (${given}expected ${problem.expected})`;
}
