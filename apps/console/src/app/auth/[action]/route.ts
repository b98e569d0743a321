import { latchkey } from '../../../lib/latchkey';

// Login, callback and logout read and set cookies on every request; nothing here can be cached.
export const dynamic = 'force-dynamic';

export const { GET, POST } = latchkey.routes;
