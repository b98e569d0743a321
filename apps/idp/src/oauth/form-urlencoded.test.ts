import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseFormUrlencoded } from './form-urlencoded.js';

const standard = (text: string) => [...new URLSearchParams(text)];

describe('parseFormUrlencoded', () => {
  it('gives what URLSearchParams gives for the bodies clients send', () => {
    for (const text of [
      'grant_type=client_credentials&scope=wiki%3Aread',
      'grant_type=authorization_code&code=abc&redirect_uri=http%3A%2F%2Fshop.localhost%3A3001%2Fcb&code_verifier=x-y_z.~',
      'grant_type=refresh_token&refresh_token=a.b-c_d',
      'client_id=my+app&client_secret=s%2Bt%2F%3D',
      'scope=openid+profile+email&resource=a&resource=b',
      '',
      '&',
      '=',
      'a',
      'a=',
      '=b',
      'a==b',
      '&&a=1&&',
      'name=%C3%A9t%C3%A9&city=K%C3%B8benhavn',
      'raw=été',
      'x=%EF%BB%BFbom',
    ]) {
      expect([text, parseFormUrlencoded(text)]).toEqual([text, standard(text)]);
    }
  });

  it('falls back to the standard where decodeURIComponent refuses (bad escapes, bytes not UTF-8)', () => {
    for (const text of [
      'a=%',
      'a=%2',
      'a=%zz&b=1',
      'a=%FF',
      'a=%C3',
      'a=%ED%A0%80',
      'a=100%&b=%%41',
      '%=%',
      'a%=b',
    ]) {
      expect([text, parseFormUrlencoded(text)]).toEqual([text, standard(text)]);
    }
  });

  it('agrees with URLSearchParams on random input', () => {
    const pieces = [
      'a',
      'b',
      '=',
      '&',
      '+',
      '%',
      '2',
      'B',
      'F',
      'f',
      'C3',
      'A9',
      '%C3%A9',
      '%2B',
      ' ',
      'é',
      '€',
      '%E2%82%AC',
      '%FF',
      '%0',
      '~',
    ];
    for (let i = 0; i < 5000; i += 1) {
      let text = '';
      for (let n = randomInt(1, 16); n > 0; n -= 1) text += pieces[randomInt(pieces.length)]!;
      expect([text, parseFormUrlencoded(text)]).toEqual([text, standard(text)]);
    }
  });
});
