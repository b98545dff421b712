/** What every benchmark server shares: its arguments and the line that says it is up. */

export type Scenario = "hello" | "json" | "poll" | "static";

export interface ServerArgs {
  scenario: Scenario;
  port: number;
  /** The folder served in the static scenario. */
  staticDir: string;
}

export function serverArgs(): ServerArgs {
  const scenario = (process.argv[2] ?? "hello") as Scenario;
  if (!["hello", "json", "poll", "static"].includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
  return { scenario, port: Number(process.argv[3] ?? 0), staticDir: process.argv[4] ?? "" };
}

/** The harness waits for this line; it carries the real port when 0 was asked for. */
export function announce(port: number): void {
  process.stdout.write(`listening ${port}\n`);
}

export const HELLO = "Hello, world";

export function userJson(id: number, q: string): { id: number; name: string; q: string } {
  return { id, name: "user" + id, q };
}

/** Long-poll bookkeeping shared by the poll servers: waiters answered all at once. */
export class Waiters<T> {
  private list: T[] = [];
  add(w: T): void { this.list.push(w); }
  remove(w: T): void { const i = this.list.indexOf(w); if (i >= 0) this.list.splice(i, 1); }
  get size(): number { return this.list.length; }
  drain(): T[] { const l = this.list; this.list = []; return l; }
}
