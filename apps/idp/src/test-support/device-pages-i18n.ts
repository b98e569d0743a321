import { deviceDonePage, confirmDevicePage, userCodePage } from '../oauth/device/device-pages.js';
import { describeWait } from '../i18n/wait.js';
import type { PageFrame } from '../views/html.js';
import { loginPage } from '../views/login-page.js';

/** The data the device pages show besides their sentences (pages-i18n.test.ts). */
export const DEVICE_DATA = ['WDJB-MJHT', 'WDJBMJHT', 'Living Room TV', 'calendar'];

/** Every /device page (RFC 8628), with each error, in `frame`'s language. */
export function devicePages(frame: PageFrame): Array<[string, string]> {
  const { t } = frame;
  const csrfToken = 'C'.repeat(43);
  return [
    ['device code', userCodePage(frame, { csrfToken, typed: 'WDJB-MJHT' })],
    [
      'device code invalid',
      userCodePage(frame, {
        csrfToken,
        typed: 'WDJBMJHT',
        error: t.text('device.error.invalidCode'),
      }),
    ],
    [
      'device code guessing',
      userCodePage(frame, {
        csrfToken,
        error: t.text('device.error.tooManyAttempts', { wait: describeWait(t, 42) }),
      }),
    ],
    [
      'device confirmation',
      confirmDevicePage(frame, {
        csrfToken,
        clientName: 'Living Room TV',
        username: 'alice',
        userCode: 'WDJBMJHT',
        scope: ['openid', 'profile', 'email', 'offline_access', 'calendar'],
      }),
    ],
    ['device allowed', deviceDonePage(frame, true)],
    ['device denied', deviceDonePage(frame, false)],
    [
      'login for a device',
      loginPage(frame, {
        authz: 'A'.repeat(43),
        csrfToken,
        account: { reauth: false, device: true },
      }),
    ],
  ];
}
