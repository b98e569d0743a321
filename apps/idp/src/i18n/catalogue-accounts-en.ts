/**
 * The account pages (forgot password, reset, sign-up, email verification) and the emails
 * they send, in English: spread into catalogue-en.ts. `{name}` placeholders as there.
 */
export const accountsEn = {
  'login.forgotPassword': 'Forgot password?',
  'login.error.notVerified':
    'Confirm your email address first: open the link we sent you. Lost it? Use "Forgot password?" to get a new one.',

  'form.error.expired': 'This form has expired or was opened in another browser. Please try again.',
  'account.email': 'Email address',
  'account.error.invalidEmail': 'Enter a valid email address.',

  'forgot.title': 'Forgot your password?',
  'forgot.heading': 'Reset your password',
  'forgot.intro':
    'Enter the email address of your account. We will send you a link to choose a new password.',
  'forgot.submit': 'Send the link',
  'forgot.sent.title': 'Check your email',
  'forgot.sent.message':
    'If an account uses this address, a link to reset its password is on its way. It works once, for 30 minutes.',
  'mail.sent.advice': 'No email after a few minutes? Look in your spam folder, or ask again.',

  'reset.title': 'Choose a new password',
  'reset.heading': 'Choose a new password',
  'reset.invite.heading': 'Set your password',
  'reset.for': 'For the account {username}.',
  'reset.password': 'New password',
  'reset.confirm': 'Repeat the new password',
  'reset.hint':
    'At least {min} characters; {recommended} or more is better. A phrase of several words is easy to remember.',
  'reset.submit': 'Save the password',
  'reset.error.mismatch': 'The two passwords are not the same.',
  'reset.done.title': 'Password saved',
  'reset.done.message':
    'Your password was saved, and every session of your account was signed out. Sign in with the new password from the application you use.',

  'password.problem.tooShort': 'The password is too short: use at least {min} characters.',
  'password.problem.tooLong': 'The password is too long: use at most {max} characters.',
  'password.problem.invalidCharacters':
    'The password contains characters that cannot be typed again (such as a NUL byte).',
  'password.problem.common':
    'This password is one of the most common ones, which attackers try first. Choose another.',
  'password.problem.containsUsername':
    'The password must not contain your username or email address.',

  'link.invalid.title': 'This link cannot be used',
  'link.invalid.message': 'The link has expired, was already used, or was replaced by a newer one.',
  'link.invalid.advice': 'Ask for a new link on the "Forgot password?" page.',

  'verify.title': 'Confirm your email address',
  'verify.message': 'Confirm this address to finish creating the account {username}.',
  'verify.submit': 'Confirm',
  'verify.done.title': 'Address confirmed',
  'verify.done.message': 'Your account is ready. Sign in from the application you use.',

  'signup.title': 'Create an account',
  'signup.heading': 'Create an account',
  'signup.username': 'Username',
  'signup.password': 'Password',
  'signup.submit': 'Create the account',
  'signup.error.invalidUsername': 'A username is 1 to 64 letters, digits or . _ @ + -',
  'signup.error.usernameTaken': 'This username is taken. Choose another.',
  'signup.sent.title': 'Check your email',
  'signup.sent.message':
    'We sent a message to {email}. Open the link in it within 30 minutes to finish creating your account.',

  'mail.greeting': 'Hello {username},',
  'mail.linkNote':
    'The link works once, for 30 minutes. If you did not ask for it, ignore this email: nothing changes.',
  'mail.copyLink': 'If the button does not work, copy this address into your browser:',
  'mail.reset.subject': 'Reset your Latchkey password',
  'mail.reset.body':
    'Someone, we hope you, asked to reset the password of your Latchkey account. Open this link to choose a new one:',
  'mail.reset.action': 'Choose a new password',
  'mail.invite.subject': 'Your Latchkey account is ready',
  'mail.invite.body':
    'An administrator created a Latchkey account for you. Open this link to choose your password:',
  'mail.invite.action': 'Set your password',
  'mail.verify.subject': 'Confirm your email address',
  'mail.verify.body':
    'Welcome to Latchkey. Confirm that this is your address to finish creating your account:',
  'mail.verify.action': 'Confirm the address',
  'mail.alreadyRegistered.subject': 'You already have a Latchkey account',
  'mail.alreadyRegistered.body':
    'Someone tried to create an account with this address, but it already has one. If it was you, sign in with it, or reset its password here:',
  'mail.alreadyRegistered.action': 'Reset my password',
  'mail.alreadyRegistered.note': 'If it was not you, ignore this email: nothing changed.',
  'mail.passwordChanged.subject': 'Your Latchkey password was changed',
  'mail.passwordChanged.body':
    'The password of your Latchkey account was changed at {time}, and every session of the account was signed out.',
  'mail.passwordChanged.note':
    'If you did not change it, reset it now and tell your administrator:',
} as const;
