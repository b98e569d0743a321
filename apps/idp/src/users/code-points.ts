/**
 * Characters as a person counts them: code points, so an emoji (two UTF-16 units) is one. A
 * lone surrogate counts as one too (the policy refuses it before counting matters).
 */
export function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1) count++;
  return count;
}
