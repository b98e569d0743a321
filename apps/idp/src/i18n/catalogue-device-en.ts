/**
 * The device pages (RFC 8628: /device, where a person types the code a TV or command-line
 * tool shows). Spread into catalogue-en.ts; the same keys in catalogue-device-zh-cn.ts.
 */
export const deviceEn = {
  'device.title': 'Connect a device',
  'device.lead': 'Enter the code shown on your TV, console or command-line tool.',
  'device.code': 'Code',
  'device.codeHint': 'Eight letters, such as WDJB-MJHT.',
  'device.continue': 'Continue',
  'device.error.invalidCode':
    'That code is not valid. Check the code on your device, or start again there for a new one.',
  'device.error.tooManyAttempts': 'Too many codes tried. Try again in {wait}.',
  'device.confirm.title': 'Connect {client}?',
  'device.confirm.lead': '{client} will be signed in as {username} and may:',
  'device.confirm.code':
    'Only allow this if your device shows the code {code}. If you did not start this, deny it.',
  'device.confirm.allow': 'Allow',
  'device.confirm.deny': 'Deny',
  'device.allowed.title': 'Device connected',
  'device.allowed.message': 'You can go back to your device now; it will finish signing in.',
  'device.denied.title': 'Request denied',
  'device.denied.message': 'The device was not connected. You can close this page.',
  'device.login.continue': 'to connect a device',
} as const;
