import { mfaEn } from './catalogue-mfa-en.js';
import { accountsEn } from './catalogue-accounts-en.js';
import { accountEn } from './catalogue-account-en.js';
import { passkeysEn } from './catalogue-passkeys-en.js';
import { deviceEn } from './catalogue-device-en.js';
import { consentEn } from './catalogue-consent-en.js';

/**
 * Every sentence the IdP's pages show, in English: the reference catalogue. Its keys are the
 * type every other language must satisfy (catalogues.ts), so a key missing in a translation
 * is a type error. `{name}` is a placeholder the renderer fills in and HTML-escapes.
 * Proper names (Latchkey, the languages' own names) are not here: they are never translated.
 */
export const en = {
  ...accountEn,
  ...deviceEn,
  ...consentEn,
  'language.label': 'Language',

  'login.title': 'Sign in',
  'login.heading': 'Sign in',
  'login.continueTo': 'to continue to {client}',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.ssoNote': 'Signing in here signs you in to every Latchkey application on this browser.',
  'login.error.wrongCredentials': 'The username or password is incorrect.',
  'login.error.missingFields': 'Enter your username and password.',
  'login.error.formExpired':
    'This form has expired or was opened in another browser. Please enter your details again.',
  'login.error.tooManyAttempts': 'Too many failed attempts. Try again in {wait}.',
  'login.error.busy': 'Sign-in is very busy right now. Please try again in a moment.',
  'login.expired.title': 'Sign-in expired',
  'login.expired.message':
    'This sign-in request has expired or was already used. Go back to the application and start again.',

  'wait.second': '1 second',
  'wait.seconds': '{count} seconds',
  'wait.minute': '1 minute',
  'wait.minutes': '{count} minutes',

  'message.backToApp': 'Go back to the application you came from and sign in again.',
  'message.technicalDetail': "Details for the application's developers:",

  'error.cannotSignIn.title': 'Cannot sign in',
  'error.invalidRequest.message':
    'The application sent an invalid sign-in request. Nothing was sent back to it.',
  'error.badRequest.message': 'The request could not be processed.',
  'error.tooManyRequests.message': 'Too many requests from this address. Try again in {wait}.',
  'error.unavailable.title': 'Temporarily unavailable',
  'error.unavailable.message':
    'Signing in is not possible right now. Please try again in a moment.',
  'error.internal.title': 'Something went wrong',
  'error.internal.message': 'Signing in failed on our side. Please try again.',

  'logout.signedOut.title': 'Signed out',
  'logout.signedOut.heading': 'You are signed out',
  'logout.signedOut.message': 'You can close this window.',
  'logout.confirm.title': 'Sign out?',
  'logout.confirm.heading': 'Sign out?',
  'logout.confirm.message': 'Do you want to sign out of every application using this account?',
  'logout.confirm.submit': 'Sign out',
  'logout.error.title': 'Sign-out failed',
  'logout.error.heading': 'Sign-out request refused',
  'logout.error.message': 'Nothing was changed. Return to the application and try again.',

  ...accountsEn,
  ...passkeysEn,
  ...mfaEn,
} as const;
