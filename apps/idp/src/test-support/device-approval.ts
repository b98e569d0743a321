import { loginFormFields, type Browser } from './browser.js';

/**
 * Plays the person at /device (RFC 8628 §3.3) with a cookie-keeping browser: opens
 * `verificationUriComplete`'s path on `idpUrl`, submits the prefilled code, signs in as
 * alice when asked, then allows or denies on the confirmation. Resolves to the final page.
 */
export async function decideDevice(
  browser: Browser,
  idpUrl: string,
  verificationUriComplete: string,
  decision: 'allow' | 'deny',
): Promise<string> {
  const complete = new URL(verificationUriComplete);
  let page = await (await browser.fetch(`${idpUrl}${complete.pathname}${complete.search}`)).text();
  if (!page.includes('name="decision"')) {
    const submitted = await browser.post(`${idpUrl}/device`, {
      csrf: field(page, 'csrf'),
      user_code: field(page, 'user_code'),
    });
    if (submitted.status !== 303) throw new Error(`the code page answered ${submitted.status}`);
    const login = new URL(submitted.headers.get('location')!, idpUrl);
    const form = await browser.fetch(`${idpUrl}${login.pathname}${login.search}`);
    const signedIn = await browser.post(`${idpUrl}/login`, {
      ...loginFormFields(await form.text()),
      username: 'alice',
      password: 'wonderland-alice',
    });
    if (signedIn.status !== 303) throw new Error(`login answered ${signedIn.status}`);
    page = await (await browser.fetch(`${idpUrl}${signedIn.headers.get('location')!}`)).text();
  }
  const done = await browser.post(`${idpUrl}/device`, {
    csrf: field(page, 'csrf'),
    user_code: field(page, 'user_code'),
    decision,
  });
  if (done.status !== 200) throw new Error(`the confirmation answered ${done.status}`);
  return done.text();
}

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`the page has no ${name} value`);
  return match[1];
}
