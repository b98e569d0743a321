/**
 * Second factors (mfa/): the login's second step, the account page's two-step verification
 * pages and their emails. Spread into catalogue-en.ts; the same keys in
 * catalogue-mfa-zh-cn.ts.
 */
export const mfaEn = {
  'mfa.step.title': 'Two-step verification',
  'mfa.step.heading': 'Two-step verification',
  'mfa.step.lead':
    'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
  'mfa.step.stepUp': 'To continue, {client} asks you to confirm with your second factor.',
  'mfa.step.code': 'Code',
  'mfa.step.submit': 'Verify',
  'mfa.step.passkey': 'Use a passkey instead',
  'mfa.step.recoveryHint': 'Lost your phone? Type one of your recovery codes in the same field.',
  'mfa.step.error.wrong': 'That code is not right, or it was already used. Try the next code.',
  'mfa.step.error.missing': 'Enter a code.',
  'mfa.step.error.tooMany': 'Too many wrong codes. Try again in {wait}.',

  'mfa.required.title': 'Two-step verification required',
  'mfa.required.message':
    '{client} requires two-step verification, and your account has no second factor yet. Set one up on your account page ({link}), then sign in again.',
  'mfa.required.advice': 'Setting it up takes a minute with any authenticator app.',
  'mfa.required.continue': 'Set it up? Then continue to {client}',

  'mfa.account.heading': 'Two-step verification',
  'mfa.account.lead':
    'A second factor keeps your account safe even when someone learns your password.',
  'mfa.account.totpOn': 'Authenticator app: on',
  'mfa.account.totpOff': 'Authenticator app: off',
  'mfa.account.recoveryLeft': 'Recovery codes left: {count}',
  'mfa.account.manage': 'Manage two-step verification',
  'mfa.account.addTotp': 'Set up an authenticator app',
  'mfa.account.removeTotp': 'Turn off the authenticator app',
  'mfa.account.regenerate': 'Make new recovery codes',
  'mfa.account.back': 'Back to your account',
  'mfa.account.removeRefused':
    'Your role requires two-step verification, so your last second factor cannot be turned off. Add another one first, or ask an administrator.',

  'mfa.enrol.title': 'Set up an authenticator app',
  'mfa.enrol.scan': 'Scan this QR code with your authenticator app, or type the key below.',
  'mfa.enrol.qr': 'QR code for your authenticator app',
  'mfa.enrol.secret': 'Key',
  'mfa.enrol.code': 'Code shown by the app',
  'mfa.enrol.submit': 'Turn on',
  'mfa.enrol.error.wrong':
    'That code is not right. Check that the time on your phone is correct and try the next code.',

  'mfa.codes.title': 'Your recovery codes',
  'mfa.codes.lead':
    'Each code works once, when you cannot use your authenticator app. Keep them somewhere safe: they are shown only now.',
  'mfa.codes.done': 'I have saved them',

  'mfa.done.totpAdded': 'Two-step verification is on.',
  'mfa.done.totpRemoved': 'The authenticator app was turned off.',

  'mail.mfaChanged.subject': 'Your Latchkey two-step verification changed',
  'mail.mfaChanged.totpAdded': 'An authenticator app was added to your Latchkey account at {time}.',
  'mail.mfaChanged.totpRemoved':
    'The authenticator app was removed from your Latchkey account at {time}.',
  'mail.mfaChanged.recoveryRegenerated':
    'New recovery codes were made for your Latchkey account at {time}; the old ones no longer work.',
  'mail.mfaChanged.reset':
    'An administrator removed every second factor from your Latchkey account at {time}, and every session was signed out.',
  'mail.mfaChanged.note':
    'If this was not you, reset your password now and tell your administrator:',
} as const;
