import { basic, SHOP } from '../peers/bench-clients.js';

/** Token requests of `shop`, the client of the user grants (client_secret_basic). */
export const SHOP_HEADERS = {
  authorization: basic(SHOP),
  'content-type': 'application/x-www-form-urlencoded',
};

/** Redeems codes one by one and returns their refresh tokens. */
export async function redeemAll(url: string, bodies: string[]): Promise<string[]> {
  const tokens: string[] = [];
  for (const body of bodies) {
    const response = await fetch(`${url}/token`, { method: 'POST', headers: SHOP_HEADERS, body });
    const json = (await response.json()) as { refresh_token?: string };
    if (!json.refresh_token) throw new Error(`${url}: no refresh token: ${JSON.stringify(json)}`);
    tokens.push(json.refresh_token);
  }
  return tokens;
}
