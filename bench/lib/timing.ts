/** In-process timing: run each contender for a slice of time, round-robin, report the median rate. */
import { median } from "./report";

export interface RateContender {
  name: string;
  /** One unit of work (a render, a lookup batch). Its return value is kept so it isn't optimised away. */
  run(): unknown;
}

let sink: unknown;

/** Calls per second for each contender: `rounds` rounds of `sliceMs` each, starting contender rotated. */
export function measureRates(contenders: RateContender[], sliceMs: number, rounds: number): Map<string, number> {
  const rates = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (const c of contenders) for (let i = 0; i < 200; i++) sink = c.run(); // warm up
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + round) % contenders.length];
      let calls = 0;
      const start = process.hrtime.bigint();
      const end = start + BigInt(Math.round(sliceMs * 1e6));
      let now = start;
      while (now < end) {
        // Check the clock every 64 calls: reading it costs more than a fast call.
        for (let k = 0; k < 64; k++) sink = c.run();
        calls += 64;
        now = process.hrtime.bigint();
      }
      rates.get(c.name)!.push(calls / (Number(now - start) / 1e9));
    }
  }
  void sink;
  return new Map([...rates].map(([k, v]) => [k, median(v)]));
}
