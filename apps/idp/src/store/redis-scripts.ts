import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run by hash, falling back to the full source when this server has not seen
 * it (first use, or after a restart emptied its script cache). Redis runs a script as one
 * step, which is what makes the multi-command operations below atomic.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis, keys: string[], args: string[]): Promise<unknown> {
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
 * KEYS[1] sorted set; ARGV[1] expiry (epoch ms, the score); ARGV[2] member; ARGV[3] now.
 * Drops expired members, adds or extends (GT keeps the later expiry), and makes the key
 * itself expire with its longest-lived member.
 */
export const addToSetScript = new LuaScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], 'GT', ARGV[1], ARGV[2])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1
`);
