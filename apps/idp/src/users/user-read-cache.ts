import { channels } from '@latchkey/protocol';
import { type Logger, messageOf } from '../logger.js';
import type { Store, Unsubscribe } from '../store/store.js';
import type { User, UserRepository } from './user.js';

export interface UserReadCacheOptions {
  /** How long a user read stays served from memory; 0 turns the cache off. */
  ttlMs: number;
  /** The most users held; the oldest entry makes room. */
  maxEntries?: number;
  now: () => number;
  store: Pick<Store, 'publish' | 'subscribe' | 'onReconnect'>;
  logger: Logger;
}

/** The directory, with `findById` answered from memory while the cache is listening. */
export interface CachingUserRepository extends UserRepository {
  /** Subscribes to other processes' change notices; until then every read asks the database. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const WRITES = [
  'save',
  'createIfAbsent',
  'importSeed',
  'setState',
  'activatePending',
  'markEmailVerified',
  'setPasswordHash',
  'setRoles',
  'delete',
  'updateProfile',
] as const satisfies readonly (keyof UserRepository)[];

/** Answered by the directory as they are (`findById` from memory while listening). */
type Read = 'findById' | 'findByUsername' | 'findByEmail' | 'list';

/**
 * A method added to UserRepository that is neither a read nor a write here is a type error
 * until it is sorted: a write left out would let the cache serve a user it changed.
 */
type Unsorted = Exclude<keyof UserRepository, Read | (typeof WRITES)[number]>;
const everyMethodSorted: [Unsorted] extends [never] ? true : Unsorted = true;
void everyMethodSorted;

/**
 * Every code and refresh grant reads its user by id (roles and state go into the token), and
 * that PostgreSQL read was a third of a refresh's CPU time (bench case 11). This keeps those
 * reads for `ttlMs`, as Keycloak's user cache does, and keeps them right the same way: every
 * write through the directory drops the entry here and publishes the user's id on
 * `channels.usersChanged`, which every other worker and instance hears and drops theirs.
 *
 * Fail towards the database: nothing is served from memory unless the subscription stands;
 * a reconnect of the store's connection empties the cache (a notice may have been lost with
 * it); and a read that was in flight while a change arrived is not kept (its row may predate
 * the change). A notice lost some other way, or a write made outside the IdP (`users` from
 * the command line without Redis, SQL), shows after `ttlMs` at the latest.
 */
export function cacheUserReads(
  users: UserRepository,
  options: UserReadCacheOptions,
): CachingUserRepository {
  const { ttlMs, now, store, logger } = options;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { user: User | null; until: number }>();
  // Grows with every change heard or made: a read started before one is not kept.
  let epoch = 0;
  let listening = false;
  let unsubscribe: Unsubscribe | undefined;
  let stopReconnect: (() => void) | undefined;

  const forget = (id?: string): void => {
    epoch += 1;
    if (id === undefined) entries.clear();
    else entries.delete(id);
  };

  async function findById(id: string): Promise<User | null> {
    if (!listening || ttlMs === 0) return users.findById(id);
    const entry = entries.get(id);
    if (entry && entry.until > now()) return entry.user;
    const started = epoch;
    const user = await users.findById(id);
    if (listening && started === epoch) {
      entries.delete(id);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(id, { user, until: now() + ttlMs });
    }
    return user;
  }

  async function changed(id: string): Promise<void> {
    forget(id);
    await store.publish(channels.usersChanged, id).catch((error: unknown) => {
      logger.warn('users.change_notice_failed', { error: messageOf(error) });
    });
  }

  const writes = Object.fromEntries(
    WRITES.filter((name) => users[name] !== undefined).map((name) => [
      name,
      async (...args: unknown[]) => {
        const methods = users as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        try {
          return await methods[name]!(...args);
        } finally {
          // Also after a failure: the write may have landed before the error reached us.
          const id = idOf(name, args);
          if (id === undefined) forget();
          else await changed(id);
        }
      },
    ]),
  ) as Pick<UserRepository, (typeof WRITES)[number]>;

  return {
    // Delegated by name, not spread: a repository's methods may live on its prototype.
    findByUsername: (username) => users.findByUsername(username),
    findByEmail: (email) => users.findByEmail(email),
    list: (query) => users.list(query),
    ...writes,
    findById,

    async start() {
      if (ttlMs === 0 || unsubscribe) return;
      stopReconnect = store.onReconnect(() => forget());
      try {
        unsubscribe = await store.subscribe(channels.usersChanged, (message) =>
          // Channels are shared: anything but an id empties the whole cache, the safe side.
          forget(message.length > 0 && message.length <= 200 ? message : undefined),
        );
        listening = true;
      } catch (error) {
        // Served from the database alone: slower, never stale.
        logger.warn('users.cache_off', { error: messageOf(error) });
      }
    },

    async stop() {
      listening = false;
      forget();
      stopReconnect?.();
      await unsubscribe?.().catch(() => undefined);
      unsubscribe = undefined;
    },
  };
}

/** The user a write changes: the id, or the `id` of the user saved. */
function idOf(name: (typeof WRITES)[number], args: unknown[]): string | undefined {
  const [first] = args;
  if (name === 'save' || name === 'createIfAbsent' || name === 'importSeed') {
    return (first as { id?: string } | undefined)?.id;
  }
  return typeof first === 'string' ? first : undefined;
}
