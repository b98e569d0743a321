import {
  chmodSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { brotliDecompressSync, createBrotliDecompress } from 'node:zlib';
import { untar } from './untar.js';

export interface ChromiumExecutable {
  path: string;
  /** Extra environment the binary needs, beyond this process's own. */
  env: Record<string, string>;
}

/**
 * The headless shell that `@sparticuz/chromium` carries brotli-compressed inside its npm
 * package, unpacked once per package version into the temp folder (about 2 s, 200 MB).
 *
 * Not the package's own `executablePath()`: it returns whatever `/tmp/chromium` holds, of any
 * version, and writes that file in place, so a run starting meanwhile (another checkout, a CI
 * run) could execute a half-written binary. Here each version gets its own folder, filled
 * under a private name and renamed into place whole.
 */
export async function npmChromium(): Promise<ChromiumExecutable> {
  const packageDir = join(
    dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')),
    '..',
  );
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const home = join(tmpdir(), `latchkey-npm-chromium-${version}`);
  if (!existsSync(join(home, 'chromium'))) await unpack(join(packageDir, 'bin'), home);
  return { path: join(home, 'chromium'), env: libraryEnv(join(home, 'lib')) };
}

async function unpack(bin: string, home: string): Promise<void> {
  const partial = mkdtempSync(`${home}.partial-`);
  try {
    await pipeline(
      createReadStream(join(bin, 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(join(partial, 'chromium'), { mode: 0o755 }),
    );
    // NSS, NSPR and expat, which slim images lack; built against glibc 2.34 (see libraryEnv).
    untar(brotliDecompressSync(readFileSync(join(bin, 'al2023.tar.br'))), partial);
    chmodSync(partial, 0o755);
    renameSync(partial, home);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    // Renaming onto a folder another run has already filled fails; theirs is as good.
    if (existsSync(join(home, 'chromium'))) return;
    throw error;
  }
}

/**
 * The package's own libraries come first where they can load: glibc 2.34 or later. An older
 * glibc would refuse them, so there the system's copies must serve.
 */
function libraryEnv(lib: string): Record<string, string> {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } })
    .header;
  const [major = 0, minor = 0] = (header?.glibcVersionRuntime ?? '0.0').split('.').map(Number);
  if (major < 2 || (major === 2 && minor < 34)) return {};
  const inherited = process.env.LD_LIBRARY_PATH;
  return { LD_LIBRARY_PATH: inherited ? `${lib}:${inherited}` : lib };
}
