import type { TestRedis } from '@latchkey/testing';
import type { BaselineServer } from './peers/bare-koa.js';
import type { OidcPeer } from './peers/oidc-provider.js';
import type { BenchIdp } from './services/idp.js';

/** What every case gets: the run's settings and the shared services, started on first use. */
export interface BenchContext {
  /** Short rounds for development; the figures are rougher. */
  quick: boolean;
  /** Progress, on stderr, so that stdout stays the table. */
  log(line: string): void;
  redis(): Promise<TestRedis>;
  idp(): Promise<BenchIdp>;
  oidcProvider(): Promise<OidcPeer>;
  bareKoa(): Promise<BaselineServer>;
  /**
   * Latchkey's rate over oidc-provider's on its Redis adapter, one core each (cases 4 and 5),
   * by grant (e.g. "client_credentials 16", "refresh_token"): case all-cores' targets.
   */
  oneCoreRatios: Map<string, number>;
}

/** Chooses between the full and the --quick value of a setting. */
export function pick<T>(context: BenchContext, full: T, quick: T): T {
  return context.quick ? quick : full;
}
