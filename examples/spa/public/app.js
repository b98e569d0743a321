// The example browser app: oidc-client-ts (global `oidc`, its browser build) against Latchkey.
// Authorization code + PKCE, the tokens kept in sessionStorage (gone with the tab), the
// refresh token used for "Refresh" (signinSilent) and revoked on "Log out".
/* global oidc */

const config = await (await fetch('/config.json')).json();

const manager = new oidc.UserManager({
  authority: config.issuer,
  client_id: config.clientId,
  redirect_uri: `${config.appUrl}/callback.html`,
  post_logout_redirect_uri: `${config.appUrl}/`,
  response_type: 'code',
  // offline_access: a public client gets a refresh token only when it asks (OIDC Core §11).
  scope: 'openid profile email offline_access',
  userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
  automaticSilentRenew: false,
  // On "Log out", the refresh token is revoked (POST /revoke, CORS) before the redirect.
  revokeTokensOnSignout: true,
  revokeTokenTypes: ['refresh_token'],
});

const $ = (selector) => document.querySelector(selector);
const showError = (error) => {
  $('[data-field="error"]').textContent = error instanceof Error ? error.message : String(error);
};

/** The access token's claims, for display only: the API checks the token, not this page. */
function claimsOf(jwt) {
  const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part));
}

function render(user) {
  const signedIn = user !== null && !user.expired;
  $('[data-state="signed-in"]').hidden = !signedIn;
  $('[data-state="signed-out"]').hidden = signedIn;
  if (!signedIn) return;
  const claims = claimsOf(user.access_token);
  $('[data-field="username"]').textContent = user.profile.preferred_username ?? user.profile.sub;
  $('[data-field="sub"]').textContent = user.profile.sub;
  $('[data-field="expires"]').textContent = new Date(user.expires_at * 1000).toISOString();
  $('[data-field="jti"]').textContent = claims.jti;
}

async function start() {
  if (location.pathname === '/callback.html') {
    await manager.signinRedirectCallback();
    location.replace('/');
    return;
  }
  render(await manager.getUser());
  $('[data-action="login"]').addEventListener('click', () => {
    manager.signinRedirect().catch(showError);
  });
  $('[data-action="refresh"]').addEventListener('click', () => {
    // With a refresh token in the stored user, signinSilent is a refresh_token grant.
    manager.signinSilent().then(render, showError);
  });
  $('[data-action="logout"]').addEventListener('click', () => {
    manager.signoutRedirect().catch(showError);
  });
  document.body.dataset.ready = 'true';
}

start().catch(showError);
