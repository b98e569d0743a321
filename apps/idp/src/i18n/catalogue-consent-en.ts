/**
 * Consent for third-party clients (oauth/consent/): what each scope lets an application do
 * (shared by the consent page and the device confirmation), the consent page, and the
 * account page's "Apps with access". Spread into catalogue-en.ts; the same keys in
 * catalogue-consent-zh-cn.ts.
 */
export const consentEn = {
  'scope.openid': 'know who you are',
  'scope.profile': 'see your name and username',
  'scope.email': 'see your email address',
  'scope.offline_access': 'stay signed in until you sign out',
  'scope.other': 'use “{scope}”',

  'consent.title': 'Allow {client} to use your account?',
  'consent.lead': '{client} asks to use the account {username} to:',
  'consent.note': 'You can remove its access at any time on your account page.',
  'consent.allow': 'Allow',
  'consent.deny': 'Deny',
  'consent.refused.title': 'This request could not be confirmed',
  'consent.refused.message':
    'The page expired, was opened in another browser or session, or was changed. Go back to the application and start again.',

  'account.apps.heading': 'Apps with access',
  'account.apps.lead': 'Applications of other parties you allowed to use your account.',
  'account.apps.none': 'You have not allowed any other application.',
  'account.apps.since': 'Allowed {time}',
  'account.apps.remove': 'Remove access',
  'account.done.accessRemoved':
    'Access removed. The application is signed out and has to ask you again.',
} as const;
