import { freshTestDatabase } from '../test-support/test-database.js';
import { clientRepositoryContract } from './client-repository.contract.js';

clientRepositoryContract('PGlite (embedded, in memory)', freshTestDatabase);
