/** How long and how hard each scenario runs. */
export interface BenchOptions {
  /** Seconds of load per contender per round. */
  seconds: number;
  /** Round-robin rounds; the median of rounds is reported. */
  rounds: number;
  /** Connection counts for the HTTP scenarios. */
  connections: number[];
  /** Restrict to these contender names (all when undefined). */
  only?: string[];
  /** Scale for the standing-connections scenario (10,000 in a full run). */
  standingConnections: number;
  /** Size of the large static file in bytes (100 MB in a full run). */
  largeFileBytes: number;
  /** Requests of the instructions scenario: warm-up W, then the counts N1 and N2 it measures between. */
  callgrind: { warmup: number; n1: number; n2: number };
}

const CALLGRIND = { warmup: 3_000, n1: 5_000, n2: 15_000 };

// Many short rounds rather than a few long ones: this machine's speed moves by a third within a
// minute (node:http alone measured 26k and 35k req/s in consecutive runs), and the median of seven
// interleaved 2 s samples per contender averages that out better than three 5 s ones.
export const FULL: BenchOptions = { seconds: 2, rounds: 7, connections: [25, 256], standingConnections: 10_000, largeFileBytes: 100 * 1024 * 1024, callgrind: CALLGRIND };
export const QUICK: BenchOptions = { seconds: 1, rounds: 1, connections: [25, 256], standingConnections: 2_000, largeFileBytes: 20 * 1024 * 1024, callgrind: CALLGRIND };
/** For the spec that keeps scenarios from rotting: they run and produce numbers, nothing more. */
export const TINY: BenchOptions = { seconds: 1, rounds: 1, connections: [8], standingConnections: 200, largeFileBytes: 2 * 1024 * 1024, callgrind: { warmup: 300, n1: 500, n2: 1_500 } };
