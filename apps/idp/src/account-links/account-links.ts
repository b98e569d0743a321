import type { Queryable } from '../db/database.js';
import { digestToken, looksLikeOpaqueToken, newOpaqueToken } from '../tokens/opaque-token.js';
import type { User, UserRepository } from '../users/user.js';
import {
  claimLink,
  deleteLink,
  releaseLink,
  selectLiveLink,
  upsertLink,
  type LinkRow,
} from './account-link-queries.js';

/** What a link lets its holder do: set a password (reset, invitation) or prove an address. */
export type LinkPurpose = 'reset' | 'invite' | 'verify';

/** Issue 11: valid 30 minutes at most. */
export const LINK_TTL_MS = 30 * 60_000;
/**
 * How long one submission holds a link while it completes (Argon2, the password write, the
 * revocation). Far longer than that takes; short enough that a completion cut off by an
 * outage frees the link again before its owner has given up.
 */
export const CLAIM_LEASE_MS = 30_000;

export interface LinkHolder {
  readonly user: User;
  readonly purpose: LinkPurpose;
}

/** A link taken for one submission: `spend` once it succeeded, `release` if it was refused. */
export interface LinkClaim extends LinkHolder {
  spend(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Single-use links by email. The token is 256 random bits (base64url, 43 characters): the
 * link carries nothing about the user, and the database keeps only its SHA-256 digest.
 * A link is good while all of these hold: it is the newest link of its user, under 30
 * minutes old, the user's password version is still the one it was issued under (any
 * password change kills it), the user is not disabled, and no submission has spent it.
 */
export interface AccountLinks {
  /** A new link for `user`; every earlier one of theirs stops working. Returns the token. */
  issue(user: User, purpose: LinkPurpose): Promise<string>;
  /** Whether the link may be used, without using it (the GET of the page it opens). */
  inspect(token: string): Promise<LinkHolder | null>;
  /** Takes the link for one submission; null when it is not good or another one holds it. */
  claim(token: string): Promise<LinkClaim | null>;
}

export function createAccountLinks(deps: {
  database: Queryable;
  users: UserRepository;
  now: () => number;
}): AccountLinks {
  const { database: db, users } = deps;
  const holder = async (digest: string, row: LinkRow | null): Promise<LinkHolder | null> => {
    if (!row) return null;
    const user = await users.findById(row.user_id);
    if (!user || !usable(row, user)) {
      // Dead for good (password changed, user disabled or gone, address verified already):
      // deleted, so that enabling the user again does not bring it back.
      await deleteLink(db, digest);
      return null;
    }
    return { user, purpose: row.purpose };
  };
  return {
    async issue(user, purpose) {
      const token = newOpaqueToken();
      const now = deps.now();
      await upsertLink(db, {
        digest: digestToken(token),
        userId: user.id,
        purpose,
        passwordVersion: user.passwordVersion,
        now: new Date(now),
        expiresAt: new Date(now + LINK_TTL_MS),
      });
      return token;
    },
    async inspect(token) {
      if (!looksLikeOpaqueToken(token)) return null;
      const digest = digestToken(token);
      return holder(digest, await selectLiveLink(db, digest, new Date(deps.now())));
    },
    async claim(token) {
      if (!looksLikeOpaqueToken(token)) return null;
      const digest = digestToken(token);
      const now = deps.now();
      const row = await claimLink(db, digest, new Date(now), new Date(now + CLAIM_LEASE_MS));
      if (!row) return null;
      const found = await holder(digest, row);
      if (!found) return null;
      return {
        ...found,
        spend: () => deleteLink(db, digest),
        release: () => releaseLink(db, digest),
      };
    },
  };
}

/** The rules that depend on the user as they are now, not as they were at issue. */
function usable(row: LinkRow, user: User): boolean {
  if (user.state === 'disabled') return false;
  if (Number(row.password_version) !== user.passwordVersion) return false;
  // Verifying an address that is verified already is a link used twice.
  if (row.purpose === 'verify' && user.state !== 'pending') return false;
  return true;
}

/** The page a link opens, on the issuer (never the Host of a request: it is attacker-chosen). */
export function linkUrl(issuer: string, purpose: LinkPurpose, token: string): string {
  const path = purpose === 'verify' ? '/verify-email' : '/reset-password';
  const url = new URL(`${issuer}${path}`);
  url.searchParams.set('token', token);
  return url.href;
}
