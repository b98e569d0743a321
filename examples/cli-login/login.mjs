#!/usr/bin/env node
// Signs in from a terminal with the device authorization grant (RFC 8628): prints where to go
// and the code to type, then polls the IdP until the person has allowed or denied it there.
import * as client from 'openid-client';

const issuer = new URL(process.env.ISSUER ?? 'http://idp.localhost:4000');
const clientId = process.env.CLIENT_ID ?? 'cli';
// `*.localhost` names resolve in browsers, not here: the IdP's own requests go to its
// internal address, while the issuer (and the URL shown to the person) keep the public name.
const internal = new URL(process.env.IDP_INTERNAL_URL ?? 'http://127.0.0.1:4000');
const viaInternal = (url) => {
  const target = new URL(url);
  if (target.origin === issuer.origin) {
    target.protocol = internal.protocol;
    target.host = internal.host;
  }
  return target;
};

const config = await client.discovery(issuer, clientId, undefined, client.None(), {
  [client.customFetch]: (url, options) => fetch(viaInternal(url), options),
  // Plain http only for a local IdP; a real issuer is https.
  ...(issuer.protocol === 'http:' && { execute: [client.allowInsecureRequests] }),
});

const device = await client.initiateDeviceAuthorization(config, {
  scope: process.env.SCOPE ?? 'openid profile offline_access',
});
console.log(`To sign in, open ${device.verification_uri} and enter the code ${device.user_code}`);
console.log(`(or open ${device.verification_uri_complete})`);

try {
  // Waits `interval` seconds between polls, and longer after a slow_down.
  const tokens = await client.pollDeviceAuthorizationGrant(config, device);
  const claims = tokens.claims();
  console.log(`Signed in as ${claims?.preferred_username ?? claims?.sub}.`);
  console.log(`Access token valid for ${tokens.expires_in} s.`);
  if (tokens.refresh_token) console.log('A refresh token was issued (keep it somewhere safe).');
} catch (error) {
  // access_denied (the person said no) or expired_token (nobody typed the code in time).
  console.error(`Not signed in: ${error.error ?? error.message}`);
  process.exitCode = 1;
}
