import type { AdminKey } from '../lib/admin-types';

const COLOURS = { pending: '#38bdf8', active: '#10b981', retired: '#94a3b8', revoked: '#ef4444' };

interface Span {
  state: keyof typeof COLOURS;
  from: number;
  to: number;
}

/** The stretches of a key's life: published-not-signing, signing, published-not-signing-again. */
function spansOf(key: AdminKey, now: number): Span[] {
  const at = (iso: string | null) => (iso === null ? null : Date.parse(iso));
  const created = Date.parse(key.created_at);
  const activated = at(key.activated_at);
  const retired = at(key.retired_at);
  const revoked = at(key.revoked_at);
  const end = revoked ?? now;
  const spans: Span[] = [];
  spans.push({ state: 'pending', from: created, to: activated ?? retired ?? end });
  if (activated !== null) spans.push({ state: 'active', from: activated, to: retired ?? end });
  if (retired !== null) spans.push({ state: 'retired', from: retired, to: end });
  return spans.filter((span) => span.to > span.from);
}

/**
 * The key schedule as a timeline, one row per key: when it was pending (published, not yet
 * signing), active (signing) and retired (still published for the tokens it signed); a red mark
 * where a key was revoked. Inline SVG drawn on the server.
 */
export function KeyTimeline({ keys, now }: { keys: AdminKey[]; now: number }) {
  const rows = [...keys].sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
  const width = 900;
  const labelWidth = 190;
  const rowHeight = 26;
  const top = 8;
  const height = top + rows.length * rowHeight + 24;
  // From a little before the oldest key to now, whatever that spans (seconds in a fresh demo,
  // months on a long-running IdP), so the rows always use the width.
  const oldest = Math.min(now, ...rows.map((key) => Date.parse(key.created_at)));
  const span = Math.max(now - oldest, 1_000) * 1.08;
  const start = now - span;
  const x = (t: number) => labelWidth + ((t - start) / span) * (width - labelWidth - 16);
  const fmt = (t: number) =>
    new Date(t)
      .toISOString()
      .slice(span > 2 * 86_400_000 ? 0 : 11, 19)
      .replace('T', ' ');
  if (rows.length === 0) return <p className="empty">No signing keys.</p>;
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label="Signing keys over time: pending, active, retired"
      data-testid="key-timeline"
    >
      {rows.map((key, row) => {
        const y = top + row * rowHeight;
        return (
          <g key={key.kid}>
            <text x={0} y={y + 15} fontSize="11" fill="#0f172a" fontFamily="monospace">
              {key.kid.length > 16 ? `${key.kid.slice(0, 16)}…` : key.kid}
            </text>
            <text x={labelWidth - 10} y={y + 15} fontSize="10" fill="#64748b" textAnchor="end">
              {key.alg}
            </text>
            {spansOf(key, now).map((part) => (
              <rect
                key={part.state}
                x={x(part.from)}
                y={y + 4}
                width={Math.max(3, x(part.to) - x(part.from))}
                height={rowHeight - 10}
                rx="4"
                fill={COLOURS[part.state]}
              >
                <title>{`${key.kid} ${part.state} ${new Date(part.from).toISOString()} → ${new Date(part.to).toISOString()}`}</title>
              </rect>
            ))}
            {key.revoked_at === null ? null : (
              <rect
                x={x(Date.parse(key.revoked_at)) - 2}
                y={y + 1}
                width={4}
                height={rowHeight - 4}
                fill={COLOURS.revoked}
              >
                <title>{`revoked ${key.revoked_at}`}</title>
              </rect>
            )}
          </g>
        );
      })}
      <line
        x1={x(now)}
        x2={x(now)}
        y1={0}
        y2={height - 20}
        stroke="#4f46e5"
        strokeDasharray="3 3"
      />
      <text x={labelWidth} y={height - 6} fontSize="10" fill="#64748b">
        {fmt(start)} UTC
      </text>
      <text x={x(now)} y={height - 6} fontSize="10" fill="#4f46e5" textAnchor="end">
        now {fmt(now)}
      </text>
    </svg>
  );
}

export function KeyLegend() {
  return (
    <div className="legend">
      {(['pending', 'active', 'retired', 'revoked'] as const).map((state) => (
        <span key={state}>
          <span className="swatch" style={{ background: COLOURS[state] }} />
          {state}
        </span>
      ))}
    </div>
  );
}
