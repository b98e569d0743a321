import { freshTestDatabase } from '../test-support/test-database.js';
import { userRepositoryContract } from './user-repository.contract.js';

userRepositoryContract('PGlite (embedded, in memory)', freshTestDatabase);
