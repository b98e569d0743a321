import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import latchkey from '@latchkey/eslint-config';

/**
 * The IdP's layers: which entry of src/ may import which (besides itself). Written down
 * here only; the README's layout section draws it. Floors at the top, wings and wiring
 * below: a floor knows nothing of what stands on it (STYLE.md, "As the house grows").
 * Tests and test-support/ may reach anything: they stand outside the building.
 *
 * @type {Record<string, string[]>}
 */
const LAYERS = {
  config: [],
  logger: ['config'],
  store: ['logger'],
  http: ['config', 'logger'],
  i18n: [],
  views: ['i18n', 'users'],
  clients: ['logger', 'db', 'audit'],
  db: ['config'],
  // store and logger: the read cache's change notices (users/user-read-cache.ts).
  users: ['db', 'audit', 'logger', 'store'],
  keys: ['config', 'logger', 'store', 'db', 'audit'],
  tokens: ['clients', 'keys', 'store'],
  audit: ['logger', 'db'],
  // The durable record of revocations (PostgreSQL) and its copy in Redis and in memory.
  revocations: ['logger', 'store', 'db'],
  sessions: ['config', 'logger', 'store', 'http', 'tokens', 'audit'],
  oauth: [
    'audit',
    'config',
    'logger',
    'store',
    'db',
    'http',
    'views',
    'i18n',
    'clients',
    'users',
    'keys',
    'tokens',
    'sessions',
  ],
  limits: ['config', 'logger', 'store', 'http', 'oauth'],
  login: ['audit', 'store', 'http', 'views', 'i18n', 'users', 'tokens', 'sessions', 'oauth'],
  account: [
    'audit',
    'config',
    'http',
    'views',
    'i18n',
    'clients',
    'users',
    'sessions',
    'login',
    'oauth',
  ],
  'fast-paths': ['logger', 'http', 'keys', 'oauth'],
  // Consent for third-party clients: the end of an authorization (oauth/authorize gets it
  // injected), the grants in the database, the account page's "Remove access".
  consent: [
    'audit',
    'config',
    'db',
    'store',
    'http',
    'views',
    'i18n',
    'clients',
    'users',
    'tokens',
    'sessions',
    'login',
    'account',
    'oauth',
  ],
  // RFC 8628's /device pages: the account pages' sign-in and CSRF, the protocol in oauth/device.
  device: [
    'audit',
    'config',
    'http',
    'views',
    'i18n',
    'clients',
    'users',
    'sessions',
    'tokens',
    'limits',
    'login',
    'account',
    'account-links',
    'oauth',
  ],
  mfa: [
    'audit',
    'config',
    'clients',
    'logger',
    'store',
    'db',
    'http',
    'i18n',
    'views',
    'users',
    'keys',
    'tokens',
    'sessions',
    'oauth',
    'login',
    'account',
    'mail',
  ],
  passkeys: [
    'audit',
    'config',
    'logger',
    'store',
    'db',
    'http',
    'views',
    'i18n',
    'users',
    'tokens',
    'sessions',
    'oauth',
    'login',
    'account',
    'mail',
  ],
  mail: ['config', 'logger', 'i18n', 'views', 'users'],
  'account-links': [
    'audit',
    'config',
    'logger',
    'db',
    'http',
    'i18n',
    'views',
    'users',
    'tokens',
    'limits',
    'oauth',
    'mail',
  ],
  metrics: ['audit', 'db', 'limits', 'logger'],
  // IDP_WORKERS: the cluster primary (forks, replaces, drains; serves /metrics for all).
  workers: ['config', 'logger', 'metrics'],
  ssf: ['config', 'logger', 'db', 'keys', 'tokens', 'sessions', 'users', 'oauth', 'delivery'],
  admin: [
    'audit',
    'config',
    'logger',
    'store',
    'db',
    'clients',
    'users',
    'keys',
    'sessions',
    'account-links',
    // Its consents resource reaches the consent wing's service (and its row type).
    'consent',
    'account',
  ],
  app: ['*'],
  idp: ['*'],
  main: ['*'],
  cli: [
    'audit',
    'back-channel',
    'ssf',
    'config',
    'logger',
    'store',
    'db',
    'users',
    'keys',
    'sessions',
    'revocations',
    'account-links',
    'mail',
    'i18n',
    'mfa',
    'passkeys',
  ],
  delivery: ['logger', 'db', 'audit'],
  'back-channel': ['config', 'logger', 'db', 'audit', 'clients', 'keys', 'sessions', 'delivery'],
  'test-support': ['*'],
};

const SOURCE = new URL('./src/', import.meta.url);
/** @param {string} name */
const isTest = (name) => /\.(test|contract)\.ts$/.test(name);
const entries = readdirSync(SOURCE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() || (entry.name.endsWith('.ts') && !isTest(entry.name)))
  .map((entry) => ({ layer: entry.name.replace(/\.ts$/, ''), path: `./src/${entry.name}` }));
// A new folder or top-level module must take its place in the table, or it escapes every rule.
const unplaced = entries.filter(({ layer }) => !Object.hasOwn(LAYERS, layer));
if (unplaced.length > 0) {
  throw new Error(
    `apps/idp/eslint.config.js: add ${unplaced.map(({ path }) => path).join(', ')} to LAYERS`,
  );
}

const zones = entries
  .filter(({ layer }) => !LAYERS[layer].includes('*'))
  .map(({ layer, path }) => ({
    target: path,
    from: entries
      .filter((other) => other.layer !== layer && !LAYERS[layer].includes(other.layer))
      .map((other) => other.path),
    message: `${layer} may import only ${LAYERS[layer].join(', ') || 'itself'} (LAYERS in apps/idp/eslint.config.js)`,
  }));

export default [
  ...latchkey,
  {
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.contract.ts', 'src/test-support/**'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { basePath: fileURLToPath(new URL('.', import.meta.url)), zones },
      ],
    },
  },
];
