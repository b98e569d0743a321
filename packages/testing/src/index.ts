export { waitFor, sleep, freePort } from './wait.js';
export { startTestRedis, type TestRedis, type TestRedisOptions } from './redis-server.js';
export { startTcpGate, type TcpGate } from './tcp-gate.js';
