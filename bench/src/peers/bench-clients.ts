/**
 * The two demo clients every server under test gets, with the Contract's ids and secrets:
 * `shop` (authorization code + refresh, client_secret_basic) and `reports` (client_credentials).
 */
export const SHOP = {
  id: 'shop',
  secret: 'shop-demo-secret',
  redirectUri: 'http://shop.localhost:3001/auth/callback',
};
export const REPORTS = { id: 'reports', secret: 'reports-demo-secret' };
export const WIKI_API = 'http://wiki.localhost:3002/api';

export function basic(client: { id: string; secret: string }): string {
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(client.id)}:${encode(client.secret)}`).toString('base64')}`;
}
