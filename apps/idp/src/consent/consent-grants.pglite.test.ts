import { freshTestDatabase } from '../test-support/test-database.js';
import { consentGrantsContract } from './consent-grants.contract.js';

consentGrantsContract('PGlite (embedded, in memory)', freshTestDatabase);
