import { freshTestDatabase } from '../test-support/test-database.js';
import { userDeletionContract } from './user-deletion.contract.js';
import { userRepositoryContract } from './user-repository.contract.js';

userRepositoryContract('PGlite (embedded, in memory)', freshTestDatabase);
userDeletionContract('PGlite (embedded, in memory)', freshTestDatabase);
