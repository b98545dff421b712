/**
 * One client benchmark measurement in a fresh process: `node client_worker.js NAME URL COUNT
 * CONCURRENCY` makes COUNT GETs (after a warm-up) with CONCURRENCY in flight and prints req/s.
 */
import { Agent, request } from "undici";
import { AsyncHTTPClient } from "../../src/httpclient";

type One = () => Promise<number>;

function makeClient(name: string, url: string, concurrency: number): One {
  if (name === "AsyncHTTPClient") {
    const client = new AsyncHTTPClient({ forceInstance: true, maxClients: concurrency });
    return async () => (await client.fetch(url)).body.length;
  }
  if (name === "undici request") {
    const agent = new Agent({ connections: concurrency });
    return async () => {
      const res = await request(url, { dispatcher: agent });
      return (await res.body.arrayBuffer()).byteLength;
    };
  }
  if (name === "fetch") {
    return async () => (await (await fetch(url)).arrayBuffer()).byteLength;
  }
  throw new Error(`unknown client ${name}`);
}

async function run(one: One, count: number, concurrency: number): Promise<void> {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++;
      if ((await one()) === 0) throw new Error("empty response body");
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function main(): Promise<void> {
  const [name, url, countText, concurrencyText] = process.argv.slice(2);
  const count = Number(countText);
  const concurrency = Number(concurrencyText);
  const one = makeClient(name, url, concurrency);
  await run(one, Math.min(1000, count), concurrency);
  const t0 = performance.now();
  await run(one, count, concurrency);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(String(count / seconds));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
