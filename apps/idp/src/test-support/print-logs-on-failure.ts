import { afterEach } from 'vitest';

/**
 * Registers an afterEach that prints the IdP processes' own output once, at the first failed
 * test of the file: their JSON logs explain most failures of tests that drive real processes,
 * and printing them always would bury the report.
 */
export function printLogsOnFailure(output: () => string | undefined): void {
  let printed = false;
  afterEach((context) => {
    if (printed || context.task.result?.state !== 'fail') return;
    const logs = output();
    if (logs === undefined) return;
    printed = true;
    process.stderr.write(logs);
  });
}
