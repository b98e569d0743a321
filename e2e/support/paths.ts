import { fileURLToPath } from 'node:url';

/** The workspace root, from which every built piece is found. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const IDP_MAIN = `${ROOT}apps/idp/dist/main.js`;
export const IDP_SESSIONS_CLI = `${ROOT}apps/idp/dist/cli/sessions.js`;
export const IDP_USERS_CLI = `${ROOT}apps/idp/dist/cli/users.js`;
export const DEMO_CLIENTS = `${ROOT}apps/idp/demo/clients.json`;
export const DEMO_USERS = `${ROOT}apps/idp/demo/users.json`;
export type AppName = 'shop' | 'wiki' | 'console';
export const appDir = (app: AppName) => `${ROOT}apps/${app}`;
/** Next's own entry point, run with this Node (the .bin shim would add a shell in between). */
export const nextBin = (app: AppName) => `${ROOT}apps/${app}/node_modules/next/dist/bin/next`;
/** The browser tests' own CJK font (fixtures/fonts/README.md). */
export const FIXTURE_FONTS = fileURLToPath(new URL('../fixtures/fonts/', import.meta.url));
/** Screenshots the README and docs show, kept in git (the others are test output). */
export const DOC_SCREENSHOTS = `${ROOT}docs/screenshots/`;
export const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));
