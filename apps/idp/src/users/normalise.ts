/**
 * Usernames and emails are compared after Unicode compatibility normalisation (NFKC: the
 * full-width `ａｌｉｃｅ` becomes `alice`), trimming and lower-casing, so that one person
 * cannot hold two accounts that look the same, nor be locked out by a trailing space.
 */
export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

/** As usernames. Lower-casing the local part too: no mail system here tells `Bob@` from `bob@`. */
export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}
