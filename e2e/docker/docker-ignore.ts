/**
 * .dockerignore read as Docker reads it, for the patterns the repository uses: paths relative
 * to the build context, `*` and `?` within one path segment, `**` across segments, and a
 * matched directory taking everything under it along. `!` exceptions are refused rather than
 * half-implemented.
 */
export function dockerIgnoreMatcher(text: string): (relativePath: string) => boolean {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      if (line.startsWith('!'))
        throw new Error(`.dockerignore: exceptions are not supported: ${line}`);
      return toRegExp(line.replace(/^\/+/, '').replace(/\/+$/, ''));
    });
  return (relativePath) => {
    const segments = relativePath.split('/');
    // A path is excluded when it or any directory above it matches.
    return segments.some((_, index) => {
      const prefix = segments.slice(0, index + 1).join('/');
      return patterns.some((pattern) => pattern.test(prefix));
    });
  };
}

function toRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (pattern.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
