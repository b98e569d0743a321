import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { npmChromium, type ChromiumExecutable } from './npm-chromium.js';
import { FIXTURE_FONTS } from './paths.js';

/** Names a distribution's Chromium (or Chrome) goes by on `PATH`. */
const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome'];

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // *.localhost are three sites to the browser (so cookies are not shared) yet all reach the
  // loopback servers, on every machine whatever its resolver does.
  '--host-resolver-rules=MAP *.localhost 127.0.0.1',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `CHROMIUM_PATH` if set, else a Chromium the system has, else the one that arrives as an npm
 * package (so a machine needs no browser installed, and playwright-core never downloads one).
 */
export async function findChromium(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChromiumExecutable & { source: string }> {
  const chosen = env.CHROMIUM_PATH;
  if (chosen !== undefined && chosen !== '') {
    // A path that was asked for and is wrong is a mistake to report, not to paper over.
    if (!executable(chosen)) throw new Error(`CHROMIUM_PATH=${chosen} is not an executable file`);
    return { path: chosen, env: {}, source: 'CHROMIUM_PATH' };
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const name of SYSTEM_NAMES) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (executable(path)) return { path, env: {}, source: 'system' };
    }
  }
  return { ...(await npmChromium()), source: '@sparticuz/chromium' };
}

/**
 * A fontconfig file that adds the tests' own CJK font (fixtures/fonts) to the system's fonts,
 * so that Chinese pages show characters, not boxes, on a machine with no CJK font.
 */
function fontconfigWithCjk(dir: string): string {
  const file = join(dir, 'fonts.conf');
  writeFileSync(
    file,
    `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${FIXTURE_FONTS}</dir>
  <cachedir>${join(dir, 'fontconfig-cache')}</cachedir>
</fontconfig>
`,
  );
  return file;
}

/** Headless Chromium with a fresh profile: one browser context, like one person's browser. */
export async function launchChromium(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const found = await findChromium();
  const profile = mkdtempSync(join(tmpdir(), 'latchkey-chromium-'));
  // Outside the profile, which Chromium owns.
  const fonts = mkdtempSync(join(tmpdir(), 'latchkey-fonts-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: found.path,
    headless: true,
    args: ARGS,
    // Playwright's `env` replaces the browser's environment rather than adding to it.
    env: { ...process.env, ...found.env, FONTCONFIG_FILE: fontconfigWithCjk(fonts) },
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(fonts, { recursive: true, force: true });
    },
  };
}
