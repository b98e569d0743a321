import { latchkey } from '../../../lib/latchkey';
import { PAGES } from '../../../lib/pages';

// Every answer depends on the caller's token.
export const dynamic = 'force-dynamic';

/**
 * The wiki's API: the page list for any bearer of a valid access token for this API with the
 * wiki:read scope, whichever app obtained it (the shop calls it with its users' tokens).
 */
export const GET = latchkey.withBearer(
  (_request, claims) =>
    Response.json(
      {
        pages: PAGES.map(({ slug, title, summary }) => ({ slug, title, summary })),
        requestedBy: claims.preferred_username,
        sub: claims.sub,
        client_id: claims.client_id,
      },
      { headers: { 'cache-control': 'no-store' } },
    ),
  { scope: 'wiki:read' },
);
