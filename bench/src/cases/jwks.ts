import { pick, type BenchContext } from '../context.js';
import { figure, type Row } from '../report/row.js';
import { runHttpRounds } from '../runner/http-rounds.js';
import { startLoadGenerator } from '../runner/load.js';
import { roundRatios } from '../runner/rounds.js';

/**
 * Case 6: GET /jwks, the document every verifier fetches. The baseline is Koa answering the
 * same bytes with one middleware: the least a Koa endpoint can cost here. Latchkey's route
 * runs behind its error handler, access log, security headers and router.
 */
export async function jwksCase(context: BenchContext): Promise<Row[]> {
  const [idp, bare, peer] = [
    await context.idp(),
    await context.bareKoa(),
    await context.oidcProvider(),
  ];
  const load = startLoadGenerator();
  try {
    const etag = (await fetch(`${idp.url}/jwks`)).headers.get('etag') ?? '';
    const durationSec = pick(context, 3, 1);
    const get =
      (url: string, headers: Record<string, string> = {}) =>
      () => ({
        url,
        method: 'GET' as const,
        headers,
        connections: 16,
        durationSec,
        success: headers['if-none-match'] ? ('3xx' as const) : ('2xx' as const),
      });
    context.log('case 6: GET /jwks at 16 connections');
    const result = await runHttpRounds(
      load,
      [
        { name: 'latchkey', config: get(`${idp.url}/jwks`) },
        { name: 'bare-koa', config: get(`${bare.url}/jwks`) },
        { name: 'oidc-provider', config: get(`${peer.url}/jwks`) },
        { name: 'latchkey-304', config: get(`${idp.url}/jwks`, { 'if-none-match': etag }) },
      ],
      { rounds: pick(context, 5, 2), warmup: 1 },
    );
    const rps = (name: string) => figure(result.rps.figures.get(name)!, '/s');
    const vsBare = roundRatios(result.rps, 'latchkey', 'bare-koa');
    return [
      {
        case: '6 GET /jwks, 16 conn.',
        latchkey: rps('latchkey'),
        peer: { name: 'bare Koa, same bytes', figure: rps('bare-koa') },
        ratio: vsBare,
        target: '≥ 0.9×',
        met: vsBare.median >= 0.9,
      },
      {
        case: '6 GET /jwks, 16 conn.',
        latchkey: rps('latchkey'),
        peer: { name: 'oidc-provider', figure: rps('oidc-provider') },
        ratio: roundRatios(result.rps, 'latchkey', 'oidc-provider'),
        target: '–',
        met: null,
      },
      {
        case: '6 GET /jwks If-None-Match → 304',
        latchkey: rps('latchkey-304'),
        peer: { name: 'bare Koa, 200', figure: rps('bare-koa') },
        ratio: roundRatios(result.rps, 'latchkey-304', 'bare-koa'),
        target: '–',
        met: null,
      },
    ];
  } finally {
    await load.close();
  }
}
