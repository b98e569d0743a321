import { loginFormFields, type Browser } from './browser.js';

/**
 * Plays the person at /device (RFC 8628 §3.3) with a cookie-keeping browser: opens
 * `verificationUriComplete`'s path on `idpUrl`, signs in as alice, submits the prefilled
 * code, then allows or denies on the confirmation. Resolves to the final page's HTML.
 */
export async function decideDevice(
  browser: Browser,
  idpUrl: string,
  verificationUriComplete: string,
  decision: 'allow' | 'deny',
): Promise<string> {
  const complete = new URL(verificationUriComplete);
  const path = `${complete.pathname}${complete.search}`;
  let response = await browser.fetch(`${idpUrl}${path}`);
  if (response.status === 303) {
    const login = new URL(response.headers.get('location')!, idpUrl);
    const form = await browser.fetch(`${idpUrl}${login.pathname}${login.search}`);
    const signedIn = await browser.post(`${idpUrl}/login`, {
      ...loginFormFields(await form.text()),
      username: 'alice',
      password: 'wonderland-alice',
    });
    if (signedIn.status !== 303) throw new Error(`login answered ${signedIn.status}`);
    response = await browser.fetch(`${idpUrl}${signedIn.headers.get('location')!}`);
  }
  const entry = await response.text();
  const userCode = field(entry, 'user_code');
  const confirm = await browser.post(`${idpUrl}/device`, {
    csrf: field(entry, 'csrf'),
    user_code: userCode,
  });
  const confirmation = await confirm.text();
  if (confirm.status !== 200) throw new Error(`the code page answered ${confirm.status}`);
  const done = await browser.post(`${idpUrl}/device`, {
    csrf: field(confirmation, 'csrf'),
    user_code: field(confirmation, 'user_code'),
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
