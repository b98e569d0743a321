import { describe, expect, it } from 'vitest';
import { resolveSsfSourceOptions } from './ssf-source-options.js';

const base = { issuer: 'https://idp.example', clientId: 'svc', clientSecret: 'secret-of-svc' };

describe('SSF source options', () => {
  it('defaults: 30 s staleness, polls held a third of it, fail closed, 24 h retention', () => {
    expect(resolveSsfSourceOptions(base)).toMatchObject({
      issuer: 'https://idp.example',
      maxStalenessMs: 30_000,
      pollWaitMs: 10_000,
      failOpen: false,
      retentionMs: 86_400_000,
      credentialChange: 'revoke',
      streamId: undefined,
    });
    expect(resolveSsfSourceOptions(base).idpUrl.href).toBe('https://idp.example/');
  });

  it.each([
    [{ issuer: 'http://idp.example' }],
    [{ idpUrl: 'http://idp.internal:4000' }],
    [{ clientId: '' }],
    [{ clientSecret: undefined }],
    [{ maxStalenessMs: 0 }],
    [{ pollWaitMs: -1 }],
    [{ failOpen: 'yes' }],
    [{ credentialChange: 'maybe' }],
    [{ streamId: 7 }],
    [{ push: { endpointUrl: 'http://svc.example/events', authorization: 'x'.repeat(16) } }],
    [{ push: { endpointUrl: 'https://svc.example/events', authorization: 'short' } }],
  ])('refuses %j with a TypeError', (override) => {
    expect(() => resolveSsfSourceOptions({ ...base, ...override } as never)).toThrow(TypeError);
  });

  it('loopback http is allowed for the IdP URL', () => {
    expect(resolveSsfSourceOptions({ ...base, idpUrl: 'http://127.0.0.1:4000' }).idpUrl.href).toBe(
      'http://127.0.0.1:4000/',
    );
  });
});
