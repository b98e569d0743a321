/**
 * Logins per minute over the last hour as stacked bars (succeeded below, failed above), drawn as
 * inline SVG on the server: no chart library and no script.
 */
export function LoginsChart({ succeeded, failed }: { succeeded: number[]; failed: number[] }) {
  const width = 640;
  const height = 180;
  const pad = { left: 30, right: 8, top: 10, bottom: 22 };
  const totals = succeeded.map((n, i) => n + (failed[i] ?? 0));
  const top = Math.max(4, ...totals);
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const slot = plotWidth / succeeded.length;
  const bar = Math.max(2, slot - 2);
  const y = (n: number) => (n / top) * plotHeight;
  const base = pad.top + plotHeight;
  const ticks = [0, Math.round(top / 2), top];
  const label = `${totals.reduce((a, b) => a + b, 0)} logins in the last hour, ${failed.reduce((a, b) => a + b, 0)} failed`;
  return (
    <svg className="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      {ticks.map((tick) => (
        <g key={tick}>
          <line
            x1={pad.left}
            x2={width - pad.right}
            y1={base - y(tick)}
            y2={base - y(tick)}
            stroke="#e2e8f0"
          />
          <text
            x={pad.left - 6}
            y={base - y(tick) + 4}
            textAnchor="end"
            fontSize="10"
            fill="#64748b"
          >
            {tick}
          </text>
        </g>
      ))}
      {succeeded.map((ok, i) => {
        const bad = failed[i] ?? 0;
        const x = pad.left + i * slot + 1;
        return (
          <g key={i}>
            {ok > 0 ? (
              <rect x={x} y={base - y(ok)} width={bar} height={y(ok)} rx="1.5" fill="#6366f1">
                <title>{`${60 - i} min ago: ${ok} succeeded`}</title>
              </rect>
            ) : null}
            {bad > 0 ? (
              <rect
                x={x}
                y={base - y(ok + bad)}
                width={bar}
                height={y(bad)}
                rx="1.5"
                fill="#ef4444"
              >
                <title>{`${60 - i} min ago: ${bad} failed`}</title>
              </rect>
            ) : null}
          </g>
        );
      })}
      {[
        ['−60 min', pad.left, 'start'],
        ['−30 min', pad.left + plotWidth / 2, 'middle'],
        ['now', width - pad.right, 'end'],
      ].map(([text, x, anchor]) => (
        <text
          key={text}
          x={x}
          y={height - 6}
          fontSize="10"
          fill="#64748b"
          textAnchor={anchor as 'start'}
        >
          {text}
        </text>
      ))}
    </svg>
  );
}
