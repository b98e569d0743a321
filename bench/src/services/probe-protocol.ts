/** Messages between the bench and a process it probes (the IdP, an SDK process). */
export interface ProbeRequest {
  id: number;
  /**
   * 'reset' clears the event-loop histogram before answering; 'sample' only reads;
   * 'profile-start' starts V8's sampling profiler, 'profile-stop' ends it and answers `shares`.
   */
  type: 'reset' | 'sample' | 'profile-start' | 'profile-stop';
  /** For 'profile-stop': script URL fragments to report the share of busy samples of. */
  patterns?: string[];
  /** For 'profile-stop': also answer `categories` (profile-categories.ts). */
  categorise?: boolean;
  /** For 'profile-stop': also write the profile there (a .cpuprofile for DevTools). */
  saveTo?: string;
  /** Collect garbage first (the process must run with --expose-gc), for memory figures. */
  gc?: boolean;
}

export interface ProbeReply {
  id: number;
  loopDelayMs: { p50: number; p99: number; max: number };
  rssBytes: number;
  heapUsedBytes: number;
  /** CPU time the process has used since it started (user + system), microseconds. */
  cpuMicros: number;
  /** After 'profile-stop': per pattern, its share of the busy samples (0 to 1). */
  shares?: Record<string, number>;
  /** After 'profile-stop' with `categorise`: per category, its share of the busy samples. */
  categories?: Record<string, number>;
}
