import { describe, expect, it } from 'vitest';
import { validateRegistration } from './client-validation.js';

const spa = (webOrigins: unknown) => ({
  client_id: 'spa',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['https://app.example/cb'],
  resources: ['https://api.example/'],
  web_origins: webOrigins,
});
const problems = (webOrigins: unknown) =>
  validateRegistration(spa(webOrigins), { production: false }).problems;

describe('web_origins', () => {
  it('keeps https origins and http loopback origins', () => {
    const { client } = validateRegistration(
      spa(['https://app.example', 'http://localhost:5173', 'http://spa.localhost:3010']),
      { production: false },
    );
    expect(client?.webOrigins).toEqual([
      'https://app.example',
      'http://localhost:5173',
      'http://spa.localhost:3010',
    ]);
  });

  it('bad input: a path, a trailing slash, a default port, plain http elsewhere, not a list', () => {
    expect(problems(['https://app.example/path'])[0]).toMatch(/not an origin/);
    expect(problems(['https://app.example/'])[0]).toMatch(/not an origin/);
    expect(problems(['https://app.example:443'])[0]).toMatch(/not an origin/);
    expect(problems(['*'])[0]).toMatch(/not an origin/);
    expect(problems(['http://app.example'])[0]).toMatch(/must be https/);
    expect(problems('https://app.example')[0]).toMatch(/array of strings/);
  });

  it('absent: none beyond the redirect URIs', () => {
    const { client } = validateRegistration(
      { ...spa([]), web_origins: undefined },
      {
        production: false,
      },
    );
    expect(client?.webOrigins).toBeUndefined();
  });
});
