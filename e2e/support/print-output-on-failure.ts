import { afterEach } from 'vitest';

/**
 * Prints the processes' output once, at the first failed test of the file: the IdP's and the
 * apps' logs explain most failures, and printing them always would bury the report.
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
