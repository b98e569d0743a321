/**
 * Passkeys (passkeys/): the account page's passkey list, the login form's passkey sign-in and
 * the notices mailed on enrolment and removal. Spread into catalogue-en.ts; the same keys in
 * catalogue-passkeys-zh-cn.ts.
 */
export const passkeysEn = {
  'account.passkeys.heading': 'Passkeys',
  'account.passkeys.lead':
    'A passkey signs you in with your device’s screen lock or a security key instead of your password, and cannot be phished.',
  'account.passkeys.manage': 'Manage passkeys',
  'account.passkeys.title': 'Passkeys',
  'account.passkeys.none': 'You have no passkey yet.',
  'account.passkeys.created': 'Added: {time}',
  'account.passkeys.lastUsed': 'Last used: {time}',
  'account.passkeys.neverUsed': 'Not used yet',
  'account.passkeys.synced': 'Synced across your devices',
  'account.passkeys.deviceBound': 'Kept on one device or security key',
  'account.passkeys.nameLabel': 'Name',
  'account.passkeys.newNameLabel': 'Name for the new passkey',
  'account.passkeys.defaultName': 'Passkey',
  'account.passkeys.add': 'Add a passkey',
  'account.passkeys.rename': 'Rename',
  'account.passkeys.remove': 'Remove',
  'account.passkeys.back': 'Back to your account',
  'account.passkeys.unsupported': 'This browser cannot use passkeys.',
  'account.passkeys.cancelled': 'No passkey was added: the request was cancelled or timed out.',
  'account.passkeys.error.refused':
    'That passkey could not be added. Please try again; the request may have expired.',
  'account.passkeys.error.duplicate': 'That passkey is already registered.',
  'account.passkeys.error.name': 'Give the passkey a name of at most {max} characters.',
  'account.passkeys.error.notFound': 'That passkey no longer exists.',
  'account.passkeys.error.lastFactor':
    'This is your last second factor and your role requires one: add another before removing it.',
  'account.done.passkeyAdded': 'Your passkey was added.',
  'account.done.passkeyRenamed': 'Your passkey was renamed.',
  'account.done.passkeyRemoved': 'Your passkey was removed.',

  'login.passkey.button': 'Sign in with a passkey',
  'login.passkey.or': 'or',
  'login.passkey.secondFactor': 'Use a passkey',
  'login.passkey.secondFactorTitle': 'Confirm with your passkey',
  'login.passkey.secondFactorLead':
    'Your account is protected with a passkey. Use it to finish signing in as {username}.',
  'login.passkey.cancelled': 'The passkey sign-in was cancelled or timed out.',
  'login.passkey.refused': 'That passkey could not sign you in. Please try again.',

  'mail.passkeyAdded.subject': 'A passkey was added to your Latchkey account',
  'mail.passkeyAdded.body': 'The passkey “{name}” was added to your account at {time}.',
  'mail.passkeyRemoved.subject': 'A passkey was removed from your Latchkey account',
  'mail.passkeyRemoved.body': 'The passkey “{name}” was removed from your account at {time}.',
  'mail.passkey.note':
    'If this was not you, reset your password now and tell your administrator. Your account page:',
} as const;
