import type { BenchContext } from '../context.js';
import type { Row } from '../report/row.js';
import { allCoresCase } from './all-cores.js';
import { capacityCase } from './capacity.js';
import { clientCredentialsCase } from './client-credentials.js';
import { oneCoreCase } from './one-core.js';
import { profilesCase } from './profiles.js';
import { directoryCase } from './directory.js';
import { instancesCase } from './instances.js';
import { jwksCase } from './jwks.js';
import { loginCase } from './login.js';
import { passkeyLoginCase } from './passkey-login.js';
import { totpLoginCase } from './totp-login.js';
import { memoryCase } from './memory.js';
import { revocationCase } from './revocation.js';
import { userGrantsCase } from './user-grants.js';
import { verifyNewCase } from './verify-new.js';
import { verifySeenCase } from './verify-seen.js';

export interface BenchCase {
  /** For --only. */
  name: string;
  title: string;
  run(context: BenchContext): Promise<Row[]>;
}

/** In the order of the issue; each starts what it needs through the context. */
export const CASES: readonly BenchCase[] = [
  { name: 'verify-new', title: 'SDK verification of a token not seen before', run: verifyNewCase },
  { name: 'verify-seen', title: 'SDK verification of a token seen before', run: verifySeenCase },
  { name: 'revocation', title: 'revocation propagation to SDK processes', run: revocationCase },
  {
    name: 'client-credentials',
    title: 'client_credentials, one core each, against oidc-provider (Redis and Map adapters)',
    run: clientCredentialsCase,
  },
  {
    name: 'user-grants',
    title: 'code redemption and refresh, one core each, against oidc-provider (Redis and Map)',
    run: userGrantsCase,
  },
  {
    name: 'all-cores',
    title: 'the token grants on all cores (IDP_WORKERS, cluster), and IDP_WORKERS=2 against 1',
    run: allCoresCase,
  },
  { name: 'jwks', title: 'GET /jwks against a bare Koa handler', run: jwksCase },
  { name: 'login', title: 'Argon2id logins and the event loop', run: loginCase },
  {
    name: 'passkey-login',
    title: 'passkey sign-in throughput next to password login',
    run: passkeyLoginCase,
  },
  {
    name: 'totp-login',
    title: 'password + TOTP login throughput next to password login',
    run: totpLoginCase,
  },
  { name: 'memory', title: 'SDK and IdP memory', run: memoryCase },
  {
    name: 'directory',
    title: 'logins and code redemption with the PostgreSQL directory, against Redis-held users',
    run: directoryCase,
  },
  {
    name: 'instances',
    title: 'client_credentials and logins through 1, 2 and 3 IdP instances behind a balancer',
    run: instancesCase,
  },
  {
    name: 'capacity',
    title: 'Redis memory and commands, PostgreSQL statements and audit bytes per operation',
    run: capacityCase,
  },
  {
    name: 'one-core',
    title: 'one IdP process on one core (taskset): what it answers per second',
    run: oneCoreCase,
  },
  { name: 'profiles', title: 'where each grant spends its CPU time', run: profilesCase },
];
