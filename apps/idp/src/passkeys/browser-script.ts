import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Middleware } from 'koa';

/**
 * The pages' one script: @simplewebauthn/browser's own bundle (it sets the global
 * `SimpleWebAuthnBrowser`), then the few lines below that drive it. Served by the IdP as a
 * file (`script-src 'self'`), so no page needs inline script.
 *
 * The pages describe each ceremony in a form (`form[data-passkey]`): the options as JSON in
 * `data-options`, the texts to show in `data-cancelled`/`data-unsupported`, the alert region
 * in `data-alert`. The script runs the ceremony when its button is pressed, puts the JSON
 * response into the form's `credential` field and submits the form: the answer is a normal
 * page or redirect, as for the password form. The login form also asks for the browser's
 * passkey autofill (conditional mediation) where the browser has it, and the username field
 * says `autocomplete="username webauthn"`.
 */
const DRIVER = `
(function () {
  'use strict';
  var wa = globalThis.SimpleWebAuthnBrowser;
  var forms = document.querySelectorAll('form[data-passkey]');
  for (var i = 0; i < forms.length; i++) setUp(forms[i]);

  function setUp(form) {
    var kind = form.getAttribute('data-passkey');
    var button = form.querySelector('button[data-action]');
    var alert = document.getElementById(form.getAttribute('data-alert') || '');
    var say = function (text) { if (alert && text) alert.textContent = text; };
    if (!wa || !wa.browserSupportsWebAuthn()) {
      say(form.getAttribute('data-unsupported'));
      return;
    }
    var options = JSON.parse(form.getAttribute('data-options'));
    form.hidden = false;
    var sent = false;
    var send = function (response) {
      if (sent) return;
      sent = true;
      form.querySelector('input[name="credential"]').value = JSON.stringify(response);
      form.submit();
    };
    var ceremony = function (autofill) {
      return kind === 'register'
        ? wa.startRegistration({ optionsJSON: options })
        : wa.startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
    };
    button.addEventListener('click', function (event) {
      event.preventDefault();
      if (kind === 'register') {
        var name = form.querySelector('input[name="name"]');
        if (name && !name.reportValidity()) return;
      }
      ceremony(false).then(send, function () { if (!sent) say(form.getAttribute('data-cancelled')); });
    });
    if (kind === 'login' && document.querySelector('input[autocomplete~="webauthn"]')) {
      wa.browserSupportsWebAuthnAutofill().then(function (supported) {
        // Pending until the person picks a passkey from the username field's suggestions;
        // pressing the button aborts it for the modal ceremony (the library does that).
        if (supported) ceremony(true).then(send, function () {});
      });
    }
  }
})();
`;

export const PASSKEY_SCRIPT_PATH = '/assets/passkeys.js';

function bundle(): string {
  // The package exports only its module entry; the browser bundle sits beside it.
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  const file = join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js');
  return `${readFileSync(file, 'utf8')}\n${DRIVER}`;
}

/** GET /assets/passkeys.js: read once at start-up, cached by browsers with a validator. */
export function passkeyScriptRoute(): Middleware {
  const body = bundle();
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.set('ETag', etag);
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (ctx.get('If-None-Match') === etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = body;
  };
}
