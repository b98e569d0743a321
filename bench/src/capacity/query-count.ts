/**
 * Database queries the IdP has made, from its own Prometheus histogram
 * (`latchkey_database_query_duration_seconds_count`, every outcome): an exact count from
 * inside the process, where PostgreSQL's own statistics would count transactions, flushed
 * at most once a second.
 */
export async function databaseQueries(metricsUrl: string): Promise<number> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`GET ${metricsUrl} answered ${response.status}`);
  const text = await response.text();
  let total = 0;
  let seen = false;
  for (const match of text.matchAll(
    /^latchkey_database_query_duration_seconds_count(?:\{[^}]*\})? (\d+(?:\.\d+)?)$/gm,
  )) {
    total += Number(match[1]);
    seen = true;
  }
  if (!seen) throw new Error('the IdP exposes no latchkey_database_query_duration_seconds_count');
  return total;
}
