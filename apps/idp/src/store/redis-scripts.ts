import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.js';

/**
 * A Lua script run by hash, falling back to the full source when this server has not seen
 * it (first use, or after a restart emptied its script cache; on a cluster, each node keeps
 * its own cache, and a promoted replica starts empty). Redis runs a script as one step, which is what makes the multi-command operations below atomic.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return await client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * KEYS[1] key; ARGV[1] 'absent' or 'equals'; ARGV[2] expected value; ARGV[3] new value;
 * ARGV[4] TTL in ms or ''. Returns 1 when written, 0 otherwise.
 */
export const compareAndSetScript = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if ARGV[1] == 'absent' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if ARGV[4] == '' then
  redis.call('SET', KEYS[1], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1
`);

/**
 * KEYS[1] counter; ARGV[1] window in ms. Returns {count, ms left in the window}. The
 * window starts at the first increment; a counter found without expiry (written by
 * something else) gets one, because a counter that never expires would block forever.
 */
export const incrementScript = new LuaScript(`
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`);

/**
 * KEYS[1..n] counters; ARGV[1] window in ms; ARGV[2..n+1] their limits. When every counter
 * is below its limit, adds one to each and returns {1, 0}; otherwise changes no count and
 * returns {0, ms until the last exhausted window ends}. Reading and counting in one script
 * is what keeps concurrent attempts from all passing the check (Store.countWithinLimits).
 * A value that is not an integer is an error, as INCR would answer.
 */
export const countWithinLimitsScript = new LuaScript(`
local waitMs = 0
for i, key in ipairs(KEYS) do
  local raw = redis.call('GET', key)
  local count = 0
  if raw then
    count = tonumber(raw)
    if count == nil or count ~= math.floor(count) then
      return redis.error_reply('ERR value is not an integer or out of range')
    end
  end
  if count >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      redis.call('PEXPIRE', key, ARGV[1])
      ttl = tonumber(ARGV[1])
    end
    if ttl > waitMs then waitMs = ttl end
  end
end
if waitMs > 0 then return {0, waitMs} end
for _, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 or redis.call('PTTL', key) < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
  end
end
return {1, 0}
`);

/**
 * KEYS[1] counter. Subtracts one when it is live and above zero; DECR keeps the key's
 * expiry, so the window does not move. An absent counter is left absent.
 */
export const decrementScript = new LuaScript(`
local raw = redis.call('GET', KEYS[1])
if raw and tonumber(raw) and tonumber(raw) > 0 then
  redis.call('DECR', KEYS[1])
end
return 1
`);

/**
 * KEYS[1] sorted set; ARGV[1] expiry (epoch ms, the score); ARGV[2] member; ARGV[3] now.
 * Drops expired members, adds or extends (GT keeps the later expiry), and makes the key
 * itself expire with its longest-lived member. A member is hidden from the moment its time is
 * reached (score <= now), while Redis keeps a key until the clock has passed its PEXPIREAT;
 * expiring the key 1 ms earlier closes that millisecond in which an empty-looking set still
 * existed (seen as a flaky contract test).
 */
export const addToSetScript = new LuaScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], 'GT', ARGV[1], ARGV[2])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], tonumber(last[2]) - 1)
return 1
`);

/**
 * KEYS[1] the channel (not a key: named so that a cluster routes by its slot); ARGV[1] the
 * message. PUBLISH from a script reaches subscribers like any other.
 */
export const publishScript = new LuaScript(`
return redis.call('PUBLISH', KEYS[1], ARGV[1])
`);
