import { createLog } from '@latchkey/demo-kit/log';

/** The app's one way to the server log; the SDK takes it as its logger too. */
export const log = createLog('console');
