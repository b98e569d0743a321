import type { en } from './catalogue-en.js';

export type MessageKey = keyof typeof en;

/** A translation: exactly the English keys, each a string (object literals reject extras). */
export type Catalogue = { readonly [K in MessageKey]: string };

/** The `{name}` placeholders of an English message, as a union of names. */
type PlaceholdersOf<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PlaceholdersOf<Rest>
  : never;

/**
 * The values a message needs: none for a plain sentence, one per placeholder otherwise, so a
 * forgotten or misspelt parameter is a type error at the call site.
 */
export type MessageParams<K extends MessageKey> = [PlaceholdersOf<(typeof en)[K]>] extends [never]
  ? []
  : [params: Record<PlaceholdersOf<(typeof en)[K]>, string | number>];

/** The messages that take no parameters. */
export type PlainMessageKey = {
  [K in MessageKey]: MessageParams<K> extends [] ? K : never;
}[MessageKey];
