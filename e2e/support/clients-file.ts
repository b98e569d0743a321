import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_CLIENTS } from './paths.js';

/**
 * A machine client only the tests register: `client_credentials` for the shop's API, so that
 * a test holds a real, well-signed access token whose audience is not the wiki's.
 */
export const SHOP_API_MACHINE = { id: 'e2e-shop-api', secret: 'e2e-shop-api-secret' };

/**
 * The demo clients (same ids and secrets) with their redirect URIs, post-logout URIs and
 * resources (the admin API's is under the issuer) moved to the ports this run uses, written to
 * `dir`.
 */
export function writeClientsFile(
  dir: string,
  urls: {
    idp: string;
    shop: string;
    wiki: string;
    console: string;
    spa?: string;
    partner?: string;
  },
): string {
  const moved = readFileSync(DEMO_CLIENTS, 'utf8')
    .replaceAll('http://shop.localhost:3001', urls.shop)
    .replaceAll('http://wiki.localhost:3002', urls.wiki)
    .replaceAll('http://console.localhost:3003', urls.console)
    .replaceAll('http://spa.localhost:3010', urls.spa ?? 'http://spa.localhost:3010')
    .replaceAll('http://partner.localhost:3020', urls.partner ?? 'http://partner.localhost:3020')
    .replaceAll('http://idp.localhost:4000', urls.idp);
  const clients = JSON.parse(moved) as object[];
  clients.push({
    client_id: SHOP_API_MACHINE.id,
    client_name: 'e2e: a token for the shop API',
    client_secret_sha256: createHash('sha256').update(SHOP_API_MACHINE.secret).digest('base64'),
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    scope: 'wiki:read',
    resources: [`${urls.shop}/api`],
  });
  const file = join(dir, 'clients.json');
  writeFileSync(file, JSON.stringify(clients, null, 2));
  return file;
}
