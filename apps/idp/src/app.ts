import Koa from 'koa';
import { Router } from '@koa/router';
import { revocationKeys } from '@latchkey/protocol';
import { mountAccountRoutes } from './account/account-routes.js';
import type { ClientRegistry } from './clients/client.js';
import type { ClientService } from './clients/client-service.js';
import type { Config } from './config/config.js';
import type { AccountLinkDeps } from './account-links/account-link-deps.js';
import { mountAccountLinkRoutes } from './account-links/account-link-routes.js';
import { createFormCsrf } from './account-links/form-csrf.js';
import { databaseNotReadyReason } from './db/database-probe.js';
import type { Database } from './db/database.js';
import { everyRequestMiddleware } from './fast-paths/every-request.js';
import { tokenFastPath } from './fast-paths/token-fast-path.js';
import { chain } from './http/chain.js';
import { clientAddressFromProxies } from './http/client-address.js';
import { healthzRoute, readyzRoute } from './http/health-routes.js';
import { allowAnyOrigin } from './http/koa-security-headers.js';
import { languageSwitch } from './i18n/language-cookie.js';
import type { KeyManager } from './keys/key-manager.js';
import { limitPerAddress, limitPerClient } from './limits/koa-rate-limit.js';
import { createRateLimiter } from './limits/rate-limit.js';
import type { Logger } from './logger.js';
import { csrfCookie } from './login/csrf-cookie.js';
import { showLoginRoute, submitLoginRoute } from './login/login-routes.js';
import { createSecondFactorSteps } from './login/second-factor-step.js';
import { startSecondFactor } from './login/second-factor.js';
import { requestLocale } from './i18n/language-cookie.js';
import { sessionAmr } from './sessions/session.js';
import { mountSecondFactorRoutes, mountTwoFactorRoutes } from './mfa/mfa-routes.js';
import type { SecondFactorNotice } from './mfa/second-factor-notice.js';
import type { SecondFactors } from './mfa/second-factors.js';
import {
  createLoginThrottle,
  DEFAULT_LOGIN_LIMITS,
  type LoginLimits,
} from './login/login-throttle.js';
import { authorizeRoute, type AuthorizeDeps } from './oauth/authorize/authorize-route.js';
import { createPendingAuthorizations } from './oauth/authorize/pending-authorization.js';
import { consentRoute } from './consent/consent-route.js';
import { createConsentGrants } from './consent/consent-grants.js';
import { completeAuthorization } from './consent/complete-authorization.js';
import { appsWithAccess, consentAdmin, recordConsent } from './consent/app-access.js';
import { mountAppAccessRoutes } from './consent/app-access-routes.js';
import { discoveryRoute } from './oauth/discovery/discovery-route.js';
import { createDpopCheck } from './oauth/dpop/dpop-check.js';
import { parRoute } from './oauth/par/par-route.js';
import { createPushedRequests } from './oauth/par/pushed-requests.js';
import { deviceAuthorizationRoute } from './oauth/device/device-authorization-route.js';
import { createDeviceAuthorizations } from './oauth/device/device-authorizations.js';
import { showDeviceRoute, submitDeviceRoute } from './device/device-routes.js';
import { introspectRoute } from './oauth/introspect/introspect-route.js';
import { jwksRoute } from './oauth/jwks/jwks-route.js';
import { htmlErrors } from './oauth/koa-html-errors.js';
import { logoutRoute } from './oauth/logout/logout-route.js';
import { revokeRoute } from './oauth/revoke/revoke-route.js';
import { tokenRoute } from './oauth/token/token-route.js';
import { corsPreflight, createBrowserOrigins } from './oauth/cors.js';
import { userinfoCors, userinfoRoute } from './oauth/userinfo/userinfo-route.js';
import type { Revoker } from './sessions/revoker.js';
import type { SessionRepository } from './sessions/session.js';
import { sessionCookie, sessionCookieKey } from './sessions/session-cookie.js';
import { storeNotReadyReason } from './store/store-probe.js';
import type { Store } from './store/store.js';
import { verifyPassword, type VerifyPassword } from './users/password-hash.js';
import type { UserRepository } from './users/user.js';
import type { AccountLifecycle } from './users/account-lifecycle.js';
import { noAudit, type AuditLog, type AuditTrail } from './audit/audit-trail.js';
import type { AccountLinks } from './account-links/account-links.js';
import { adminApi } from './admin/admin-routes.js';
import { createCursors } from './admin/cursor.js';
import { NO_METRICS, type IdpMetrics } from './metrics/idp-metrics.js';
import { meteredLimiter } from './metrics/metered.js';
import type { SharedSignals } from './ssf/ssf.js';
import { mountSsfRoutes } from './ssf/ssf-routes.js';
import { createStreamService } from './ssf/stream-service.js';
import type { PasskeyNotifier } from './mail/passkey-notice.js';
import { passkeyScriptRoute, PASSKEY_SCRIPT_PATH } from './passkeys/browser-script.js';
import { createChallengeStore } from './passkeys/challenge-store.js';
import { mountPasskeyAccountRoutes } from './passkeys/passkey-account-routes.js';
import { mountPasskeyLoginRoutes } from './passkeys/passkey-login-routes.js';
import { createPasskeyRepository } from './passkeys/passkey-repository.js';
import { createPasskeyService } from './passkeys/passkey-service.js';
import { relyingPartyFor } from './passkeys/relying-party.js';

export interface AppDeps {
  config: Config;
  store: Store;
  database: Database;
  keys: KeyManager;
  clients: ClientRegistry;
  logger: Logger;
  sessions: SessionRepository;
  revoker: Revoker;
  users: UserRepository;
  /** What happened, for operators (audit/audit-trail.ts). Default: nothing recorded. */
  audit?: AuditTrail;
  /** What to count for Prometheus; default nothing. */
  metrics?: IdpMetrics;
  /** Account changes (the account page's password form): users/account-lifecycle.ts. */
  accounts: AccountLifecycle;
  now?: () => number;
  /** Failed-login limits; tests shorten the window. Default DEFAULT_LOGIN_LIMITS. */
  loginLimits?: LoginLimits;
  /** The login form's password check; tests give one on slots they watch. Default verifyPassword. */
  verifyPassword?: VerifyPassword;
  /**
   * Whether POST /token is dispatched ahead of the router (fast-paths/). Default true; tests
   * turn it off to compare the fast path's answers with the router's.
   */
  fastPaths?: boolean;
  /** Second factors (mfa/): without them, no login asks for one. */
  secondFactors?: SecondFactors;
  /** "Your two-step verification changed" mails (mfa/second-factor-notice.ts). */
  secondFactorNotice?: SecondFactorNotice;
  /** Filled by the passkeys wing: whether the user has a passkey (asks for a second step). */
  hasPasskeys?: (userId: string) => Promise<boolean>;
  /** The emailed-link pages' services (account-links/): without them, none of those pages. */
  accountLinkPages?: Pick<
    AccountLinkDeps,
    'links' | 'passwords' | 'mailer' | 'afterAnswer' | 'inLocale'
  >;
  /** The Shared Signals transmitter (ssf/): without it, no SSF endpoints. */
  signals?: SharedSignals;
  /** Told when a passkey is added or removed (mail); default none. */
  passkeyNotifier?: PasskeyNotifier;
  /** The admin API (admin/) needs these besides the above: without them, no /admin/v1. */
  admin?: {
    auditLog: Pick<AuditLog, 'list'>;
    links: AccountLinks;
    clientService: ClientService;
    /** Where its token check fetches the keys; default the IdP's own /jwks over loopback. */
    jwksUri?: string;
  };
}

/** Builds the IdP's Koa app. It never listens: main.ts and the tests decide where. */
export function createApp(deps: AppDeps): Koa {
  const { config, store, keys, clients, logger, sessions, revoker, users } = deps;
  const now = deps.now ?? Date.now;
  const audit = deps.audit ?? noAudit;
  const userDeps = { config, keys, store, sessions, revoker, users, clients, now, audit };
  // Cookies and headers follow the issuer: the browser reaches us over https when it is https.
  const https = config.issuer.startsWith('https:');
  const cookie = sessionCookie({ https, key: sessionCookieKey(config.keyEncryptionKey) });
  const app = new Koa();
  // Forwarded headers are ignored until trusted proxies are configured explicitly.
  app.proxy = false;
  // Koa's default handler prints every error; ours logs through the structured logger.
  app.silent = true;

  // Request-rate limits (floods), counted in the store so that every instance shares them.
  const metrics = deps.metrics ?? NO_METRICS;
  const limiter = meteredLimiter(
    createRateLimiter(store, {
      logger,
      now,
      storeBudgetMs: config.rateLimitStoreBudgetMs,
    }),
    metrics,
  );
  const limits = config.rateLimits;
  // Only the routes that count per address need it: /jwks and discovery, the hot public
  // documents, are spared the work (~0.5 µs a request).
  const clientAddress = clientAddressFromProxies(config.trustedProxies);

  const origins = createBrowserOrigins(clients);
  const router = new Router();
  const discovery = discoveryRoute(config);
  router.get('/.well-known/openid-configuration', allowAnyOrigin(), discovery);
  router.get('/.well-known/oauth-authorization-server', allowAnyOrigin(), discovery);
  router.get('/jwks', allowAnyOrigin(), jwksRoute(keys, config.jwksMaxAgeSec));
  // The address is read only to count it: with the per-address limit off, neither runs.
  const token = chain([
    ...(limits.tokenPerAddress
      ? [clientAddress, limitPerAddress(limiter, 'token-address', limits.tokenPerAddress)]
      : []),
    tokenRoute({
      ...userDeps,
      origins,
      limitClient: limitPerClient(limiter, 'token-client', limits.tokenPerClient),
      issued: (grantType, clientId) => metrics.tokenIssued(grantType, clientId),
    }),
  ]);
  router.post('/token', token);
  // RFC 8628 §3.1: the device's request, authenticated and limited as /token is.
  router.post(
    '/device_authorization',
    chain([
      ...(limits.tokenPerAddress
        ? [clientAddress, limitPerAddress(limiter, 'token-address', limits.tokenPerAddress)]
        : []),
      deviceAuthorizationRoute({
        ...userDeps,
        limitClient: limitPerClient(limiter, 'token-client', limits.tokenPerClient),
      }),
    ]),
  );
  router.options('/token', corsPreflight(origins, 'POST'));
  // RFC 9126: pushed authorization requests, authenticated and limited as /token is.
  const pushed = createPushedRequests(store, now);
  router.post(
    '/par',
    chain([
      ...(limits.tokenPerAddress
        ? [clientAddress, limitPerAddress(limiter, 'par-address', limits.tokenPerAddress)]
        : []),
      parRoute({
        clients,
        pushed,
        checkDpop: createDpopCheck({ config, store, now }),
        limitClient: limitPerClient(limiter, 'par-client', limits.tokenPerClient),
      }),
    ]),
  );
  const userinfo = userinfoRoute(userDeps);
  const userinfoOrigins = userinfoCors({ origins, clients });
  router.get('/userinfo', userinfoOrigins.request, userinfo);
  router.post('/userinfo', userinfoOrigins.request, userinfo);
  router.options('/userinfo', userinfoOrigins.preflight);
  router.post('/revoke', revokeRoute({ ...userDeps, origins }));
  router.options('/revoke', corsPreflight(origins, 'POST'));
  router.post('/introspect', introspectRoute(userDeps));
  // `?lang=` on any page route: the language switcher (i18n/language-cookie.ts).
  const language = languageSwitch({ https });
  const logout = logoutRoute({ ...userDeps, cookie });
  router.get('/logout', language, logout);
  router.post('/logout', language, logout);
  const factors = deps.secondFactors;
  // Passkeys (passkeys/): kept with the users, challenges in the store, scoped to the issuer.
  const passkeys = createPasskeyService({
    repository: createPasskeyRepository(deps.database),
    challenges: createChallengeStore(store),
    rp: relyingPartyFor(config.issuer),
    logger,
  });
  const hasPasskeys = async (userId: string) => (await passkeys.repository.count(userId)) > 0;
  // One CSRF cookie service for the login form, the account forms and the consent form.
  const pageCsrf = csrfCookie({ https });
  const pending = createPendingAuthorizations(store);
  // Third-party clients (first_party: false) ask the user first (consent/).
  const consents = createConsentGrants(deps.database);
  const consentFlow = { store, config, sessions, clients, pending, now, consents, csrf: pageCsrf };
  const browserFlow: AuthorizeDeps = {
    config,
    store,
    clients,
    sessions,
    users,
    pending,
    pushed,
    cookie,
    now,
    complete: (ctx, request, session) => completeAuthorization(ctx, consentFlow, request, session),
    ...(factors && { hasTotp: (userId: string) => factors.hasTotp(userId) }),
    hasPasskeys: deps.hasPasskeys ?? hasPasskeys,
  };
  const login = {
    ...browserFlow,
    passkeyLogin: (authz: string, nowMs: number) =>
      passkeys.startSignIn({ purpose: 'login', authz }, nowMs),
    csrf: pageCsrf,
    revoker: deps.revoker,
    throttle: createLoginThrottle(store, deps.loginLimits ?? DEFAULT_LOGIN_LIMITS),
    verifyPassword: deps.verifyPassword ?? verifyPassword,
    steps: createSecondFactorSteps(store),
    audit,
  };
  // A step-up in place (OIDC acr_values, require_mfa): the session's user proves the missing
  // factor and keeps the sid (login/second-factor.ts).
  const stepUp: AuthorizeDeps['stepUp'] = (ctx, pending, session) =>
    startSecondFactor(
      ctx,
      login,
      pending,
      { id: session.sub, username: session.username },
      {
        amr: sessionAmr(session),
        stepUpSid: session.sid,
        locale: requestLocale(ctx, { uiLocales: pending.request?.uiLocale }),
      },
    ).then(() => undefined);
  const authorize = authorizeRoute({ ...browserFlow, stepUp });
  const limitAuthorize = limitPerAddress(limiter, 'authorize-address', limits.authorizePerAddress);
  // OIDC Core §3.1.2.1: the authorization endpoint takes GET and SHOULD take a form POST.
  router.get('/authorize', language, htmlErrors(logger), clientAddress, limitAuthorize, authorize);
  router.post('/authorize', language, htmlErrors(logger), clientAddress, limitAuthorize, authorize);
  router.get('/login', language, htmlErrors(logger), showLoginRoute(login));
  // The consent page's answer (oauth/consent/): third-party clients only.
  router.post(
    '/consent',
    language,
    htmlErrors(logger),
    consentRoute({ ...consentFlow, cookie, users, audit }),
  );
  router.post(
    '/login',
    language,
    htmlErrors(logger),
    clientAddress,
    limitPerAddress(limiter, 'login-address', limits.loginPerAddress),
    submitLoginRoute(login),
  );
  router.get(PASSKEY_SCRIPT_PATH, passkeyScriptRoute());
  mountPasskeyLoginRoutes(router, { ...login, passkeys, logger }, [
    language,
    htmlErrors(logger),
    clientAddress,
    limitPerAddress(limiter, 'login-address', limits.loginPerAddress),
  ]);
  if (deps.secondFactors) {
    const page = { language, htmlErrors: htmlErrors(logger) };
    mountSecondFactorRoutes(router, { ...login, factors: deps.secondFactors }, page);
  }
  if (deps.accountLinkPages) {
    const accountLinkDeps: AccountLinkDeps = {
      ...deps.accountLinkPages,
      config,
      now,
      database: deps.database,
      users,
      limiter,
      logger,
      audit,
      csrf: createFormCsrf({ issuer: config.issuer, https }),
    };
    mountAccountLinkRoutes(router, accountLinkDeps, [language, htmlErrors(logger)], clientAddress);
  }
  const appAccess = { consents, clients, store, audit };
  const accountDeps = {
    ...login,
    accounts: deps.accounts,
    appsWithAccess: (userId: string) => appsWithAccess(appAccess, userId),
    ...(factors && { secondFactorStatus: (userId: string) => factors.status(userId) }),
  };
  // RFC 8628 §3.3: where the person types the device's code (oauth/device/).
  const devicePages = {
    ...accountDeps,
    devices: createDeviceAuthorizations(store, config.device, now),
    limiter,
    guesses: { perAddress: limits.deviceCodePerAddress, perSession: limits.deviceCodePerSession },
    audit,
    mfaRequiredRoles: config.mfaRequiredRoles,
    formCsrf: createFormCsrf({ issuer: config.issuer, https }),
    rememberConsent: (userId: string, clientId: string, scope: readonly string[]) =>
      recordConsent(appAccess, { userId, clientId, scope, via: 'device' }),
  };
  router.get('/device', language, htmlErrors(logger), clientAddress, showDeviceRoute(devicePages));
  router.post(
    '/device',
    language,
    htmlErrors(logger),
    clientAddress,
    submitDeviceRoute(devicePages),
  );
  mountAccountRoutes(router, accountDeps, {
    language,
    htmlErrors: htmlErrors(logger),
    clientAddress,
  });
  mountAppAccessRoutes(
    router,
    { ...accountDeps, ...appAccess },
    { language, htmlErrors: htmlErrors(logger) },
  );
  if (factors) {
    mountTwoFactorRoutes(
      router,
      {
        ...accountDeps,
        factors,
        notice: deps.secondFactorNotice ?? (() => undefined),
        mfaRequiredRoles: config.mfaRequiredRoles,
        hasPasskeys: browserFlow.hasPasskeys!,
      },
      { language, htmlErrors: htmlErrors(logger) },
    );
  }
  mountPasskeyAccountRoutes(
    router,
    {
      ...accountDeps,
      passkeys,
      logger,
      notifier: deps.passkeyNotifier ?? { passkeyChanged: () => undefined },
      // MFA_REQUIRED_ROLES: a user whose role requires a second factor keeps at least one.
      mayRemovePasskey: async (user, remainingPasskeys) => {
        const required = user.roles.some((role) => config.mfaRequiredRoles.includes(role));
        if (!required || remainingPasskeys > 0) return true;
        return factors ? factors.hasTotp(user.id) : false;
      },
    },
    { language, htmlErrors: htmlErrors(logger), clientAddress },
  );
  if (deps.signals) {
    const { signals } = deps;
    mountSsfRoutes(
      router,
      {
        ...userDeps,
        streams: createStreamService({
          database: deps.database,
          transmitter: signals.transmitter,
          rules: { production: config.mode === 'production' },
          now,
        }),
        poll: {
          database: deps.database,
          waiters: signals.waiters,
          logger,
          waitMaxMs: config.ssf.pollWaitMaxMs,
          sign: signals.sign,
        },
        revokedSet: () => store.setMembers(revocationKeys.set),
      },
      allowAnyOrigin(),
    );
  }
  router.get('/healthz', healthzRoute());
  router.get(
    '/readyz',
    readyzRoute([
      () => storeNotReadyReason(store),
      () => databaseNotReadyReason(deps.database),
      () => keys.notReadyReason(),
    ]),
  );

  // Every request takes these steps; POST /token then skips the router only (fast-paths/).
  for (const step of everyRequestMiddleware({ logger, https })) app.use(step);
  if (deps.fastPaths !== false) app.use(tokenFastPath(router, token));
  if (deps.admin) {
    // Ahead of the router: /admin/v1 answers RFC 9457 problems, not the OAuth error bodies.
    const { auditLog, links, clientService, jwksUri } = deps.admin;
    app.use(
      adminApi(
        {
          config,
          logger,
          now,
          users,
          accounts: deps.accounts,
          sessions,
          revoker,
          keys,
          audit,
          auditLog,
          links,
          clients,
          clientService,
          consents: consentAdmin(appAccess),
          cursors: createCursors(config.keyEncryptionKey),
          limitCaller: async (caller) => {
            if (!limits.adminPerCaller) return null;
            const verdict = await limiter.consume('admin-caller', caller, limits.adminPerCaller);
            return verdict.allowed ? null : verdict;
          },
        },
        jwksUri === undefined ? {} : { jwksUri },
      ),
    );
  }
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
