import { sleep } from '@latchkey/testing';
import type { ResourceServer } from '../../src/test-support/resource-server.js';
import {
  ALICE,
  BOB,
  fullSignIn,
  jwtClaims,
  refresh,
  SHOP,
  timedFetch,
  type Tokens,
} from './oauth-flows.js';

/**
 * Users at work while a Redis topology is broken on purpose: sign-ins, refreshes, /userinfo
 * and logouts from a few concurrent workers, and a checker that keeps presenting every token
 * of every session whose logout was confirmed to an API verifying with the SDK. Bounded in
 * operations and in time; it stops when the faults are over (plus a tail) or at the deadline.
 */

/**
 * The time a notice may take from the IdP's confirmed logout to the SDK (issue 3's bound):
 * an acceptance within it is propagation; any later one is a revoked token let through.
 */
const PROPAGATION_MS = 100;

export interface Revoked {
  sid: string;
  /** Every access token of the session (sign-in and refresh). */
  accessTokens: string[];
  /** Its newest refresh token, which must never work again. */
  refreshToken: string;
  confirmedAt: number;
}

export interface Outcome {
  /** performance.now() when the operation ended. */
  at: number;
  ok: boolean;
}

export interface TrafficReport {
  signIns: number;
  failures: number;
  /** Answers other than success and the 503 a store outage gives: must stay empty. */
  serverErrors: string[];
  /** Revoked tokens accepted later than PROPAGATION_MS after the confirmation: must be empty. */
  acceptedAfterRevocation: string[];
  acceptedInPropagation: number[];
  checks: number;
  revoked: Revoked[];
  /** Every sign-in's end and whether it worked, in order: the availability timeline. */
  outcomes: Outcome[];
}

export async function runTraffic(options: {
  idpUrl: string;
  api: ResourceServer;
  /** The faults; the traffic stops `tailMs` after it resolves. */
  faults: () => Promise<void>;
  maxMs: number;
  tailMs?: number;
  workers?: number;
}): Promise<TrafficReport> {
  const { idpUrl, api } = options;
  const hardDeadline = performance.now() + options.maxMs;
  let stopAt = hardDeadline;
  const running = () => performance.now() < stopAt;
  const report: TrafficReport = {
    signIns: 0,
    failures: 0,
    serverErrors: [],
    acceptedAfterRevocation: [],
    acceptedInPropagation: [],
    checks: 0,
    revoked: [],
    outcomes: [],
  };
  const noteStatus = (what: string, status: number) => {
    if (status >= 500 && status !== 503) report.serverErrors.push(`${what}: ${status}`);
  };

  const worker = async (id: number) => {
    for (let i = 0; i < 400 && running(); i += 1) {
      try {
        const { browser, tokens } = await fullSignIn(idpUrl, (i + id) % 2 ? ALICE : BOB);
        report.signIns += 1;
        report.outcomes.push({ at: performance.now(), ok: true });
        const sid = String(jwtClaims(tokens.access_token).sid);
        const accessTokens = [tokens.access_token];
        let current: Tokens = tokens;
        const refreshed = await refresh(idpUrl, tokens.refresh_token);
        noteStatus('refresh', refreshed.status);
        if (refreshed.status === 200) {
          current = refreshed.json as unknown as Tokens;
          accessTokens.push(current.access_token);
        }
        const userinfo = await timedFetch(`${idpUrl}/userinfo`, {
          headers: { Authorization: `Bearer ${current.access_token}` },
        });
        noteStatus('userinfo', userinfo.status);
        if (i % 2 === 1) continue;
        const url = new URL('/logout', idpUrl);
        url.searchParams.set('id_token_hint', tokens.id_token);
        url.searchParams.set('post_logout_redirect_uri', SHOP.postLogout);
        const answer = await timedFetch(url, {}, browser);
        noteStatus('logout', answer.status);
        if (answer.status >= 300 && answer.status < 400) {
          report.revoked.push({
            sid,
            accessTokens,
            refreshToken: current.refresh_token,
            confirmedAt: performance.now(),
          });
        }
      } catch (error) {
        report.failures += 1;
        report.outcomes.push({ at: performance.now(), ok: false });
        const status = /\b(5\d\d)\b/.exec((error as Error).message)?.[1];
        if (status) noteStatus('sign-in', Number(status));
        await sleep(50);
      }
    }
  };

  const checker = async () => {
    for (let round = 0; round < 2_000 && running(); round += 1) {
      for (const entry of [...report.revoked]) {
        for (const token of entry.accessTokens) {
          report.checks += 1;
          const sentAt = performance.now();
          if ((await api.statusFor(token)) !== 200) continue;
          const late = sentAt - entry.confirmedAt;
          if (late <= PROPAGATION_MS) report.acceptedInPropagation.push(Math.round(late));
          else report.acceptedAfterRevocation.push(`${entry.sid}: ${Math.round(late)} ms after`);
        }
      }
      await sleep(50);
    }
  };

  const faults = (async () => {
    try {
      await options.faults();
    } finally {
      stopAt = Math.min(hardDeadline, performance.now() + (options.tailMs ?? 3_000));
    }
  })();
  const workers = Array.from({ length: options.workers ?? 3 }, (_, id) => worker(id));
  await Promise.all([faults, ...workers, checker()]);
  return report;
}

/**
 * How long sign-ins failed after `from`: from the first failure at or after it to the first
 * success after the last failure before `until`; 0 when none failed.
 */
export function outageAfter(
  outcomes: readonly Outcome[],
  from: number,
  until = Infinity,
): { ms: number; refused: number } {
  const window = outcomes.filter(({ at }) => at >= from && at < until);
  const failures = window.filter(({ ok }) => !ok);
  if (failures.length === 0) return { ms: 0, refused: 0 };
  const first = failures[0]!.at;
  const last = failures[failures.length - 1]!.at;
  const back = outcomes.find(({ at, ok }) => ok && at > last)?.at ?? Infinity;
  return { ms: Math.round(back - first), refused: failures.length };
}
