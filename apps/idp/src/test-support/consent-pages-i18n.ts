import { accountPage } from '../account/account-view.js';
import { consentPage, consentRefusedPage } from '../consent/consent-page.js';
import type { PageFrame } from '../views/html.js';

/** The data the consent pages show besides their sentences (pages-i18n.test.ts). */
export const CONSENT_DATA = ['Partner Calendar', 'calendar'];

/** The consent page, its refusal, and the account page listing apps with access. */
export function consentPages(frame: PageFrame): Array<[string, string]> {
  const csrfToken = 'C'.repeat(43);
  const at = Date.UTC(2026, 11, 3, 13, 30);
  return [
    [
      'consent',
      consentPage(frame, {
        authz: 'A'.repeat(43),
        csrfToken,
        clientName: 'Partner Calendar',
        username: 'alice',
        scope: ['openid', 'profile', 'email', 'offline_access', 'calendar'],
      }),
    ],
    ['consent refused', consentRefusedPage(frame)],
    [
      'account with apps',
      accountPage(frame, {
        csrfToken,
        profile: { username: 'alice', roles: [], createdAt: at },
        sessions: [],
        apps: [
          {
            clientId: 'partner',
            name: 'Partner Calendar',
            scopes: ['openid', 'profile'],
            grantedAt: at,
          },
        ],
      }),
    ],
  ];
}
