/** The parts of a V8 CPU profile (`Profiler.stop`, a `.cpuprofile` file) this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { url: string; functionName: string }; children?: number[] }[];
  samples: number[];
}

/**
 * For each pattern, the share of the profile's busy samples whose innermost frame (self time)
 * lies in a script whose URL contains it. Idle and garbage-collection samples are left out of
 * the total: the first is no work, the second belongs to no one script.
 */
export function profileShares(
  profile: CpuProfile,
  patterns: readonly string[],
): Record<string, number> {
  const urlOf = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const counts = new Map(patterns.map((pattern) => [pattern, 0]));
  let busy = 0;
  for (const id of profile.samples) {
    const frame = urlOf.get(id);
    if (!frame || frame.functionName === '(idle)' || frame.functionName === '(garbage collector)')
      continue;
    busy += 1;
    for (const pattern of patterns) {
      if (frame.url.includes(pattern)) counts.set(pattern, counts.get(pattern)! + 1);
    }
  }
  return Object.fromEntries(patterns.map((p) => [p, busy === 0 ? 0 : counts.get(p)! / busy]));
}
