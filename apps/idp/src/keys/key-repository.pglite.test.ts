import { freshTestDatabase } from '../test-support/test-database.js';
import { keyRepositoryContract } from './key-repository.contract.js';

keyRepositoryContract('PGlite (embedded, in memory)', freshTestDatabase);
