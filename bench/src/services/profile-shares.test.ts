import { describe, expect, it } from 'vitest';
import { profileShares, type CpuProfile } from './profile-shares.js';

const frame = (id: number, url: string, functionName = 'work') => ({
  id,
  callFrame: { url, functionName },
});

describe('profileShares', () => {
  const profile: CpuProfile = {
    nodes: [
      frame(1, '', '(idle)'),
      frame(2, 'file:///x/node_modules/.pnpm/prom-client@15/node_modules/prom-client/lib/h.js'),
      frame(3, 'file:///x/apps/idp/dist/oauth/token/token-route.js'),
      frame(4, '', '(garbage collector)'),
      frame(5, 'file:///x/apps/idp/dist/metrics/metered.js'),
    ],
    // 10 busy samples (2 prom-client, 1 metered, 7 token route), plus idle and GC ones.
    samples: [1, 1, 1, 2, 2, 5, 3, 3, 3, 3, 3, 3, 3, 4, 4],
  };

  it('counts self samples per script pattern, of busy samples only', () => {
    expect(
      profileShares(profile, ['/node_modules/prom-client/', '/apps/idp/dist/metrics/']),
    ).toEqual({ '/node_modules/prom-client/': 0.2, '/apps/idp/dist/metrics/': 0.1 });
  });

  it('answers 0 for an empty profile', () => {
    expect(profileShares({ nodes: [], samples: [] }, ['x'])).toEqual({ x: 0 });
  });
});
