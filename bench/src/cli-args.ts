export interface BenchArgs {
  quick: boolean;
  /** Case names to run, or null for all. */
  only: string[] | null;
}

/** `--quick`, `--only verify-new,jwks` (also `--only=…`); anything else is a usage error. */
export function parseArgs(argv: readonly string[], known: readonly string[]): BenchArgs {
  const args: BenchArgs = { quick: false, only: null };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--quick') args.quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) throw new Error('--only needs a list of cases');
      const names = value.split(',').map((name) => name.trim());
      const unknown = names.filter((name) => !known.includes(name));
      if (unknown.length > 0) {
        throw new Error(`unknown case(s): ${unknown.join(', ')}; cases: ${known.join(', ')}`);
      }
      args.only = names;
    } else {
      throw new Error(`unknown argument ${arg}; usage: pnpm bench [-- --quick] [--only a,b]`);
    }
  }
  return args;
}
