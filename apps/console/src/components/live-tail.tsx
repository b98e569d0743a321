'use client';

import { useEffect, useState, type ReactNode } from 'react';
import { AuditTableHead, AuditTableRow, type AuditRow } from './audit-table';

const POLL_MS = 3_000;

/**
 * New audit events as they happen: polls the console's /audit/feed every few seconds for
 * events after the newest one shown and puts them on top. Pauses while the tab is hidden, and
 * says so when the feed fails (a session that ended, the IdP restarting).
 */
export function LiveTail({
  newestId,
  query,
  children,
}: {
  newestId: number;
  query: string;
  /** The rows the server rendered (a tbody): the live ones go above them. */
  children: ReactNode;
}) {
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [live, setLive] = useState(true);

  useEffect(() => {
    let after = newestId;
    let stopped = false;
    const poll = async () => {
      if (document.hidden) return;
      try {
        const response = await fetch(`/audit/feed?${query}${query ? '&' : ''}after=${after}`, {
          headers: { Accept: 'application/json' },
          cache: 'no-store',
          redirect: 'error',
        });
        if (!response.ok) throw new Error(String(response.status));
        const { rows: fresh } = (await response.json()) as { rows: AuditRow[] };
        if (stopped) return;
        setLive(true);
        if (fresh.length > 0) {
          after = Math.max(after, ...fresh.map((row) => Number(row.event.id)));
          setRows((shown) => [...fresh, ...shown].slice(0, 200));
        }
      } catch {
        if (!stopped) setLive(false);
      }
    };
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [newestId, query]);

  return (
    <>
      <p className={`live ${live ? '' : 'live-paused'}`} data-testid="live-status">
        <span className="live-dot" aria-hidden="true" />
        {live ? 'Live: new events appear on top' : 'Live tail paused (the feed did not answer)'}
      </p>
      <table className="table" data-testid="audit-table">
        <AuditTableHead />
        <tbody data-testid="live-rows">
          {rows.map((row) => (
            <AuditTableRow key={row.event.id} row={row} fresh />
          ))}
        </tbody>
        {children}
      </table>
    </>
  );
}
