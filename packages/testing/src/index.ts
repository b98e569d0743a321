export { waitFor, sleep, freePort } from './wait.js';
export { startTestRedis, type TestRedis } from './redis-server.js';
