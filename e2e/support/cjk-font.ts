import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';

/**
 * Screenshots of the Chinese pages on a machine without a CJK font would show empty boxes.
 * The IdP's font stack names "Noto Sans SC" (views/page-style.ts), which most Chinese
 * readers' systems have; here the same font arrives as an npm package (OFL) and is given to
 * the page as a web font under that name, served by the test itself (no network). Only the
 * screenshots use it: what the tests assert does not depend on glyphs.
 */
const FAMILY = 'Noto Sans SC';
const FONT_ORIGIN = 'http://fonts.localhost';

function fontPackageDir(): string {
  return dirname(
    createRequire(import.meta.url).resolve('@fontsource-variable/noto-sans-sc/package.json'),
  );
}

let css: string | undefined;

/** The package's @font-face rules (one per Unicode range), renamed and pointed at FONT_ORIGIN. */
function fontFaceCss(): string {
  css ??= readFileSync(join(fontPackageDir(), 'index.css'), 'utf8')
    .replaceAll(/font-family: '[^']+'/g, `font-family: '${FAMILY}'`)
    .replaceAll('url(./files/', `url(${FONT_ORIGIN}/`);
  return css;
}

/**
 * Gives `page` the CJK web font until it closes: call once, then `await beforeScreenshot(page)`
 * after each navigation (added styles do not survive one).
 */
export async function serveCjkFont(page: Page): Promise<void> {
  const files = join(fontPackageDir(), 'files');
  await page.route(`${FONT_ORIGIN}/**`, async (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    // Only the package's own font files, by their plain names.
    if (!/^[\w.-]+\.woff2$/.test(name)) return route.fulfill({ status: 404 });
    try {
      await route.fulfill({
        body: readFileSync(join(files, name)),
        contentType: 'font/woff2',
        headers: { 'Access-Control-Allow-Origin': '*' },
      });
    } catch {
      await route.fulfill({ status: 404 });
    }
  });
}

/** Adds the @font-face rules to the current document and waits until its text is drawn. */
export async function withCjkFont(page: Page): Promise<void> {
  await page.addStyleTag({ content: fontFaceCss() });
  // Loads the faces the page's text needs, then waits until layout uses them. A string, as
  // the test's TypeScript has no DOM types.
  await page.evaluate(
    `document.fonts.load('1rem "${FAMILY}"', document.body.innerText).then(() => document.fonts.ready)`,
  );
}
