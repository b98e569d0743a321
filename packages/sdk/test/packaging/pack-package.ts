import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

export interface PackedPackage {
  tarball: string;
  /** The paths inside the tarball, sorted, without the `package/` prefix. */
  files: string[];
}

/**
 * `pnpm pack` as a release would run it: the package's `prepack` (a clean build) runs, and
 * `workspace:*` ranges become the versions they point at. The listing comes from the tarball
 * itself, so it is what a consumer receives.
 */
export async function packPackage(packageDir: string, destination: string): Promise<PackedPackage> {
  const before = new Set(readdirSync(destination));
  const packed = await runCommand('pnpm', ['pack', '--pack-destination', destination], {
    cwd: packageDir,
    timeoutMs: 60_000,
  });
  if (packed.code !== 0) throw new Error(`pnpm pack failed in ${packageDir}\n${packed.stderr}`);
  const created = readdirSync(destination).filter((name) => !before.has(name));
  if (created.length !== 1) throw new Error(`expected one tarball, found ${created.join(', ')}`);
  const tarball = join(destination, created[0]!);
  const listed = await runCommand('tar', ['-tzf', tarball], {
    cwd: destination,
    timeoutMs: 10_000,
  });
  if (listed.code !== 0) throw new Error(`tar could not list ${tarball}\n${listed.stderr}`);
  const files = listed.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''))
    .sort();
  return { tarball, files };
}
