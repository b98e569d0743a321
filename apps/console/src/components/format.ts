/** A timestamp as the console shows it: UTC, to the second. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '—';
}
