/**
 * The error types of the web layer, declared in one place. Throw them from handlers (or from
 * `prepare`, `asyncCallback`-wrapped callbacks, routing): the lifecycle turns them into responses.
 */
import { STATUS_CODES } from "node:http";

export interface HTTPErrorOptions {
  /** Reason phrase for the status line (default: the standard phrase, or "Unknown"). */
  reason?: string;
}

/**
 * Ends the request with an HTTP error status. `logMessage` is for operators: it goes to the log,
 * never to the client (the page shows only `404: Not Found`).
 *
 * @example
 * if (!entry) throw new HTTPError(404, `no entry with slug ${slug}`);
 * throw new HTTPError(429, undefined, { reason: "Slow Down" });
 */
export class HTTPError extends Error {
  readonly statusCode: number;
  readonly logMessage: string | undefined;
  readonly reason: string | undefined;

  constructor(statusCode = 500, logMessage?: string, options: HTTPErrorOptions = {}) {
    const phrase = options.reason ?? STATUS_CODES[statusCode] ?? "Unknown";
    super(`HTTP ${statusCode}: ${phrase}` + (logMessage ? ` (${logMessage})` : ""));
    this.name = "HTTPError";
    this.statusCode = statusCode;
    this.logMessage = logMessage;
    this.reason = options.reason;
  }

  /** Alias of `statusCode`. */
  get status(): number {
    return this.statusCode;
  }
}

/**
 * Thrown to end the request early without an error: the response written so far is finished
 * (with `chunk` appended, if given) and nothing else runs.
 *
 * @example
 * prepare() { if (this.request.path === "/ping") throw new Finish("pong"); }
 */
export class Finish extends Error {
  constructor(readonly chunk?: string | Buffer | Record<string, unknown>) {
    super("Finish");
    this.name = "Finish";
  }
}

/**
 * A required argument was absent: `getArgument(name)` with no default. Answers 400.
 *
 * @example
 * this.getArgument("title"); // throws MissingArgumentError("title") when absent
 */
export class MissingArgumentError extends HTTPError {
  constructor(readonly argName: string) {
    super(400, `Missing argument ${argName}`);
    this.name = "MissingArgumentError";
    this.message = `Missing argument ${argName}`;
  }
}
