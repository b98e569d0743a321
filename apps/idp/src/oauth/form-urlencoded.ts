/**
 * The `application/x-www-form-urlencoded` parser (WHATWG URL §5.1), giving exactly the pairs
 * `URLSearchParams` gives, on a shorter road for what clients send: a value is used as it is
 * unless it holds `+` or `%`, and `decodeURIComponent` takes percent-encoded UTF-8. What it
 * refuses (a `%` not followed by two hex digits, bytes that are not UTF-8), which the standard
 * leaves as it is or replaces, sends the whole text to `URLSearchParams`, so the result is the
 * standard's in every case (the tests hold the two together on random input).
 */
export function parseFormUrlencoded(text: string): [name: string, value: string][] {
  const pairs: [string, string][] = [];
  let start = 0;
  try {
    while (start <= text.length) {
      let end = text.indexOf('&', start);
      if (end === -1) end = text.length;
      if (end > start) {
        // '=' is looked for in this pair only: a search running on through the text would
        // make a body of many pairs without one quadratic.
        const pair = text.slice(start, end);
        const equals = pair.indexOf('=');
        pairs.push(
          equals === -1
            ? [decodeFormComponent(pair), '']
            : [
                decodeFormComponent(pair.slice(0, equals)),
                decodeFormComponent(pair.slice(equals + 1)),
              ],
        );
      }
      start = end + 1;
    }
  } catch {
    return [...new URLSearchParams(text)];
  }
  return pairs;
}

/**
 * One name or value: `+` is a space, then percent-encoded UTF-8 is decoded. Throws URIError
 * where the standard would keep or replace what it cannot decode.
 */
export function decodeFormComponent(component: string): string {
  const spaced = component.includes('+') ? component.replaceAll('+', ' ') : component;
  return spaced.includes('%') ? decodeURIComponent(spaced) : spaced;
}
