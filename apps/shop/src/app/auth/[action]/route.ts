import { latchkey } from '../../../lib/latchkey';

// Login, callback and logout read and set cookies on every request; nothing here can be cached.
export const dynamic = 'force-dynamic';

// eslint-disable-next-line @typescript-eslint/unbound-method -- the SDK's handlers are closures that never use `this`; LatchkeyRoutes declares them with method syntax
export const { GET, POST } = latchkey.routes;
