'use client';

import { useEffect, useState } from 'react';

/** Live time left until the access token expires; the proxy refreshes it within 60 s of that. */
export function Countdown({ until }: { until: string }) {
  const target = Date.parse(until);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const seconds = Math.max(0, Math.round((target - now) / 1000));
  const text =
    seconds === 0
      ? 'expired: reload to refresh'
      : `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')} left`;
  return (
    // The server's clock and the browser's differ by the render time; the first tick fixes it.
    <span className="countdown" data-testid="countdown" suppressHydrationWarning>
      {text}
    </span>
  );
}
