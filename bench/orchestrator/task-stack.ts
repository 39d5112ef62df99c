/**
 * Teardowns registered while a repeat sets things up, run in reverse order, always, each bounded by a
 * deadline so a hung teardown cannot keep Ctrl-C from finishing. Errors are collected, not thrown
 * through: one failed teardown must not skip the others.
 */
export class TaskStack {
  private readonly tasks: Array<{ name: string; run: () => Promise<unknown> }> = [];

  defer(name: string, run: () => Promise<unknown>): void {
    this.tasks.push({ name, run });
  }

  /** Runs every teardown, last registered first. Returns the failures as messages. */
  async unwind(deadlineMs = 30_000): Promise<string[]> {
    const failures: string[] = [];
    while (this.tasks.length > 0) {
      const task = this.tasks.pop() as { name: string; run: () => Promise<unknown> };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish within ${deadlineMs} ms`)), deadlineMs);
      });
      try {
        await Promise.race([task.run(), timeout]);
      } catch (error) {
        failures.push(`${task.name}: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
    return failures;
  }
}
