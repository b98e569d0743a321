export { waitFor, sleep, freePort } from './wait.js';
export { startTestRedis, type TestRedis, type TestRedisOptions } from './redis-server.js';
export { startTcpGate, type TcpGate } from './tcp-gate.js';
export { printOutputOnFailure } from './print-output-on-failure.js';
export {
  findTestPostgres,
  onPostgresServer,
  type TestPostgres,
  type TestPostgresDatabase,
} from './postgres-server.js';
export { linkIn, startSmtpCapture, type CapturedMail, type SmtpCapture } from './smtp-capture.js';
export {
  startRoundRobinProxy,
  UPSTREAM_HEADER,
  type RoundRobinProxy,
  type RoundRobinProxyOptions,
} from './round-robin-proxy.js';
export { type TestRedisNode } from './redis-node.js';
export {
  startTestRedisCluster,
  type TestRedisCluster,
  type TestRedisClusterOptions,
} from './redis-cluster.js';
export {
  startTestRedisSentinel,
  TEST_SENTINEL_MASTER_NAME,
  type TestRedisSentinel,
  type TestRedisSentinelOptions,
} from './redis-sentinel.js';
export { redisCli, redisCliAt } from './redis-cli.js';
