import { describe, expect, it } from 'vitest';
import { ClientsFileError, parseClients } from './load-clients.js';

/** RFC 8252 registration rules, checked when CLIENTS_FILE is loaded. */
const client = (extra: Record<string, unknown>) => ({
  client_id: 'app',
  token_endpoint_auth_method: 'none',
  resources: ['https://api.example/'],
  ...extra,
});

function problems(extra: Record<string, unknown>): readonly string[] {
  try {
    parseClients([client(extra)], { production: false });
    return [];
  } catch (error) {
    if (error instanceof ClientsFileError) return error.problems;
    throw error;
  }
}

describe('application_type', () => {
  it('defaults to web and loads native', () => {
    const [web] = parseClients([client({ redirect_uris: ['https://app.example/cb'] })], {
      production: false,
    });
    expect(web?.applicationType).toBeUndefined();
    const [native] = parseClients(
      [client({ application_type: 'native', redirect_uris: ['http://127.0.0.1/callback'] })],
      { production: false },
    );
    expect(native?.applicationType).toBe('native');
  });

  it('refuses anything but web or native', () => {
    expect(problems({ application_type: 'desktop' }).join('\n')).toMatch(
      /application_type must be web or native/,
    );
  });
});

describe('RFC 8252 §8.3 loopback redirect URIs', () => {
  it('accepts the IPv4 and IPv6 loopback literals for a native client', () => {
    expect(
      problems({
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
      }),
    ).toEqual([]);
  });

  it('refuses localhost by name for a native client', () => {
    expect(
      problems({ application_type: 'native', redirect_uris: ['http://localhost/callback'] }).join(
        '\n',
      ),
    ).toMatch(/not localhost \(RFC 8252 §8\.3\)/);
  });

  it('refuses credentials (userinfo) in any redirect URI', () => {
    expect(problems({ redirect_uris: ['https://user:pass@app.example/cb'] }).join('\n')).toMatch(
      /must not hold credentials/,
    );
  });
});

describe('RFC 8252 §7.1 private-use URI schemes', () => {
  it('accepts a reverse-domain scheme for a native client', () => {
    expect(
      problems({ application_type: 'native', redirect_uris: ['com.example.app:/callback'] }),
    ).toEqual([]);
  });

  it('refuses a private-use scheme for a web client', () => {
    expect(problems({ redirect_uris: ['com.example.app:/callback'] }).join('\n')).toMatch(
      /for native clients only/,
    );
  });

  it('refuses a scheme that is not a reverse domain name', () => {
    expect(
      problems({ application_type: 'native', redirect_uris: ['myapp:/callback'] }).join('\n'),
    ).toMatch(/reverse domain name/);
  });
});
