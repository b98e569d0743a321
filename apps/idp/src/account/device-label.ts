/**
 * A readable name for the browser a session was started from, read from its `User-Agent`:
 * "Firefox" and "Linux" rather than forty characters of tokens. Only what a person needs to
 * recognise their own devices; the raw string is shown beside it. The header is written by
 * whoever sends the request, so nothing decides on this, and the page escapes it.
 */
export interface DeviceLabel {
  browser?: string;
  os?: string;
}

/** Most specific first: Edge and Opera also say "Chrome", Chrome also says "Safari". */
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrom(?:e|ium)\/|\bCriOS\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/^curl\//, 'curl'],
];

const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** Longer headers are not read past this: the patterns stay linear on hostile input. */
const READ_AT_MOST = 512;

export function deviceLabel(userAgent: string | undefined): DeviceLabel {
  if (!userAgent) return {};
  const text = userAgent.slice(0, READ_AT_MOST);
  const browser = BROWSERS.find(([pattern]) => pattern.test(text))?.[1];
  const os = SYSTEMS.find(([pattern]) => pattern.test(text))?.[1];
  return { ...(browser && { browser }), ...(os && { os }) };
}
