/** Running wrk against a local server and reading its report. */
import { spawn } from "node:child_process";
import { pinned } from "./proc";

export interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx/3xx responses plus socket errors: a run with errors is not comparable. */
  errors: number;
}

/** Parses wrk's "1.23ms" / "456.00us" / "1.02s" latency notation into milliseconds. */
export function parseDuration(s: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "ms" ? v : m[2] === "s" ? v * 1000 : v * 60000;
}

/** Reads the numbers we report out of wrk's text output (run with --latency). */
export function parseWrkOutput(text: string): LoadResult {
  const num = (re: RegExp) => { const m = re.exec(text); return m ? Number(m[1]) : NaN; };
  const pct = (p: string) => { const m = new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(text); return m ? parseDuration(m[1]) : NaN; };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    requestsPerSec: num(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: pct("50"),
    p99Ms: pct("99"),
    requests: num(/(\d+) requests in/),
    errors: (num(/Non-2xx or 3xx responses: (\d+)/) || 0) + socketErrors,
  };
}

/** Runs wrk (pinned to core 1) for `seconds` with `connections` keep-alive connections and extra `headers`. */
export function runWrk(url: string, connections: number, seconds: number, headers: string[] = []): Promise<LoadResult> {
  const extra = headers.flatMap((h) => ["-H", h]);
  const [cmd, args] = pinned(1, "wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "--timeout", "10s", ...extra, url]);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    child.once("error", reject);
    child.once("exit", (code) => {
      const r = parseWrkOutput(out);
      if (code !== 0 || Number.isNaN(r.requestsPerSec)) reject(new Error(`wrk failed (${code}): ${out.slice(0, 500)}`));
      else resolve(r);
    });
  });
}
