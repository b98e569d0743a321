/**
 * The account page (/account and the pages under it), and the login form when one of those
 * pages asked for it. Spread into catalogue-en.ts; the same keys in catalogue-account-zh-cn.ts.
 */
export const accountEn = {
  'account.title': 'Your account',
  'account.heading': 'Your account',
  'account.signedInAs': 'Signed in as {username}',
  'account.login.continue': 'to manage your account',
  'account.reauth.heading': 'Confirm it is you',
  'account.reauth.lead': 'This change needs your password again.',

  'account.profile.heading': 'Profile',
  'account.profile.username': 'Username',
  'account.profile.name': 'Name',
  'account.profile.email': 'Email',
  'account.profile.roles': 'Roles',
  'account.profile.created': 'Member since',
  'account.profile.notSet': 'Not set',

  'account.sessions.heading': 'Where you are signed in',
  'account.sessions.lead':
    'If you do not recognise a session, sign it out and change your password. Times are in UTC.',
  'account.sessions.current': 'This device',
  'account.sessions.device': '{browser} on {os}',
  'account.sessions.unknownDevice': 'Unknown device',
  'account.sessions.address': 'Address: {address}',
  'account.sessions.started': 'Signed in: {time}',
  'account.sessions.lastSeen': 'Last active: {time}',
  'account.sessions.apps': 'Apps: {apps}',
  'account.sessions.noApps': 'Apps: none yet',
  'account.sessions.signOut': 'Sign out',
  'account.sessions.signOutOthers': 'Sign out everywhere else',

  'account.password.heading': 'Password',
  'account.password.lead': 'Changing your password signs you out everywhere else.',
  'account.password.title': 'Change password',
  'account.password.current': 'Current password',
  'account.password.new': 'New password',
  'account.password.confirm': 'New password again',
  'account.password.hint':
    'At least {min} characters; {recommended} or more is better. Any characters, spaces included.',
  'account.password.submit': 'Change password',
  'account.password.back': 'Back to your account',

  'account.password.error.wrongCurrent': 'The current password is incorrect.',
  'account.password.error.missing': 'Fill in every field.',
  'account.password.error.mismatch': 'The two new passwords are not the same.',

  'account.done.sessionEnded': 'That session is signed out.',
  'account.done.othersEnded': 'You are signed out everywhere else.',
  'account.done.passwordChanged': 'Your password was changed. Every other session is signed out.',

  'account.refused.title': 'Request refused',
  'account.refused.message':
    'This form has expired or was sent from another site. Nothing was changed.',
  'account.refused.back': 'Back to your account',
} as const;
