import { freshTestDatabase } from '../test-support/test-database.js';
import { revocationLedgerContract } from './revocation-ledger.contract.js';

revocationLedgerContract('PGlite (embedded, in memory)', freshTestDatabase);
