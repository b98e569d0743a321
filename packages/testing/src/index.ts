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
