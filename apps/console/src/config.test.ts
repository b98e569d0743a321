import { afterEach, describe, expect, it, vi } from 'vitest';

/** The console's config as a fresh start-up with `env` would read it. */
async function configWith(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return (await import('./config')).config;
}

describe('the console config', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('requires a second factor unless CONSOLE_REQUIRE_MFA=false', async () => {
    expect((await configWith({ CONSOLE_REQUIRE_MFA: undefined })).requireMfa).toBe(true);
    expect((await configWith({ CONSOLE_REQUIRE_MFA: '' })).requireMfa).toBe(true);
    expect((await configWith({ CONSOLE_REQUIRE_MFA: 'true' })).requireMfa).toBe(true);
    expect((await configWith({ CONSOLE_REQUIRE_MFA: 'false' })).requireMfa).toBe(false);
  });

  it('stops at a value that is neither, naming the variable', async () => {
    await expect(configWith({ CONSOLE_REQUIRE_MFA: 'no' })).rejects.toThrow(
      /CONSOLE_REQUIRE_MFA: must be true or false/,
    );
  });

  it('calls the admin API beside the IdP, for the audience under the public issuer', async () => {
    const config = await configWith({
      ISSUER: 'https://id.example.com',
      IDP_INTERNAL_URL: 'http://127.0.0.1:4000',
    });
    expect(config.adminAudience).toBe('https://id.example.com/admin/v1');
    expect(config.adminApiUrl).toBe('http://127.0.0.1:4000/admin/v1');
    expect(config.clientId).toBe('console');
  });
});
