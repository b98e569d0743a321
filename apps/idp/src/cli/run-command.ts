import { ConfigError } from '../config/config.js';

/**
 * Runs an operator's command and exits with its code. A configuration problem prints its one
 * line per variable, as the IdP's start does; any other failure one line named after the
 * command, never a stack trace.
 */
export function runCommand(name: string, run: (args: string[]) => Promise<number>): void {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.problems.join('\n')}\n`);
      } else {
        process.stderr.write(
          `${name}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      }
      process.exit(1);
    },
  );
}
