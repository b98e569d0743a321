import { afterEach } from 'vitest';

/**
 * Prints the output of the processes under test once, at the first failed test of the file:
 * their logs explain most failures of tests that drive real processes, and printing them
 * always would bury the report.
 */
export function printOutputOnFailure(output: () => string | undefined): void {
  let printed = false;
  afterEach((context) => {
    if (printed || context.task.result?.state !== 'fail') return;
    const text = output();
    if (text === undefined) return;
    printed = true;
    process.stderr.write(`\n--- output of the processes under test ---\n${text}\n---\n`);
  });
}
