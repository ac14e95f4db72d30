/** Prints one line per step with its elapsed time, so long deploys show where they are. */
export class StepProgress {
  private readonly started = Date.now();
  private step = 0;

  constructor(
    private readonly total: number,
    private readonly write: (line: string) => void,
  ) {}

  /** Runs one step, printing its start, its end and its duration; failures are marked and rethrown. */
  async run<T>(title: string, work: (note: (message: string) => void) => Promise<T>): Promise<T> {
    this.step += 1;
    const prefix = `[${this.step}/${this.total}]`;
    const stepStarted = Date.now();
    this.write(`${prefix} ${title} ...`);
    try {
      const result = await work((message) => this.write(`${' '.repeat(prefix.length)} ${message}`));
      this.write(`${prefix} ${title}: done in ${seconds(Date.now() - stepStarted)} (total ${seconds(Date.now() - this.started)})`);
      return result;
    } catch (error) {
      this.write(`${prefix} ${title}: FAILED after ${seconds(Date.now() - stepStarted)}`);
      throw error;
    }
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
