import { NextResponse, type NextRequest } from 'next/server';
import { requireAdmin } from '../../../lib/admin-gate';
import { auditEvents } from '../../../lib/admin-queries';
import { auditRows } from '../../../lib/audit-rows';

export const dynamic = 'force-dynamic';

const FILTERS = ['type', 'actor', 'subject', 'client', 'from', 'to'] as const;

/**
 * The audit page's live tail: events newer than `after` (an event id) under the page's filter,
 * for the page's script to poll. Same gate as every page; GET only, it changes nothing.
 */
export async function GET(request: NextRequest): Promise<Response> {
  const session = await requireAdmin('/audit');
  const params = request.nextUrl.searchParams;
  const after = Number(params.get('after') ?? '0');
  if (!Number.isSafeInteger(after) || after < 0) {
    return NextResponse.json({ error: 'after must be an event id' }, { status: 400 });
  }
  const filter = Object.fromEntries(
    FILTERS.flatMap((name) => {
      const value = params.get(name);
      return value === null || value === '' ? [] : [[name, value.slice(0, 200)]];
    }),
  );
  const { items } = await auditEvents(session.accessToken, filter, { limit: 50 });
  const fresh = items.filter((event) => Number(event.id) > after);
  return NextResponse.json(
    { rows: await auditRows(session.accessToken, fresh) },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}
