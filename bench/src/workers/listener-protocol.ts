/** IPC between case 3 and its SDK processes. Times are process.hrtime.bigint() as strings:
 * CLOCK_MONOTONIC on Linux, one clock for every process of the machine. */

export interface ArmRequest {
  type: 'arm';
  id: number;
  token: string;
}

export type ListenerMessage =
  | { type: 'ready' }
  /** The token verified: the process now waits for it to be refused. */
  | { type: 'armed'; id: number }
  | { type: 'rejected'; id: number; at: string; code: string }
  | { type: 'failed'; id: number; error: string };
