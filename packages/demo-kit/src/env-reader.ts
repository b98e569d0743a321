/** The environment as handed in (`process.env` in an app, a plain object in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads variables into a shared problems list, so that an app's own variables are reported
 * together with the common ones, one line each, instead of stopping at the first bad one.
 */
export interface EnvReader {
  /** An http(s) URL without query or fragment, trailing slashes dropped; `fallback` if unset. */
  url(name: string, fallback: string): string;
  /** `true` or `false`; unset or empty is false; anything else is a problem. */
  boolean(name: string): boolean;
}

export function createEnvReader(env: Env, problems: string[]): EnvReader {
  return {
    url(name, fallback) {
      const value = env[name] ?? fallback;
      const problem = checkHttpUrl(value);
      if (problem) problems.push(`${name}: ${problem} (got ${JSON.stringify(value)})`);
      return value.replace(/\/+$/, '');
    },
    boolean(name) {
      const value = env[name];
      if (value === undefined || value === '' || value === 'false') return false;
      if (value === 'true') return true;
      problems.push(`${name}: must be true or false (got ${JSON.stringify(value)})`);
      return false;
    },
  };
}

export function checkHttpUrl(value: string): string | undefined {
  const parsed = parseUrl(value);
  if (!parsed) return 'not a valid URL';
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be http(s)';
  if (parsed.search !== '' || parsed.hash !== '') return 'must not have a query or fragment';
  return undefined;
}

export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
