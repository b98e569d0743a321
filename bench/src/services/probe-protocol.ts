/** Messages between the bench and a process it probes (the IdP, an SDK process). */
export interface ProbeRequest {
  id: number;
  /** 'reset' clears the event-loop histogram before answering; 'sample' only reads. */
  type: 'reset' | 'sample';
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
}
