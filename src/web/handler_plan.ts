/**
 * The per-class dispatch plan of a handler: which verbs it implements (for 405 and `Allow`), and
 * for each verb its decorators and how to convert path arguments. Built once per class from the
 * metadata, then reused by every request.
 */
import { getPathArgTypes, getSlashPolicy, isAsynchronous, isAuthenticated, isStreamRequestBody, isXsrfExempt, type SlashPolicy } from "./metadata";

export const SUPPORTED_METHODS: readonly string[] = ["GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS"];

/** Converts one raw path argument; returns NOT_FOUND when the value does not fit the type. */
export type ArgConverter = (raw: string) => unknown;
export const NOT_FOUND: unique symbol = Symbol("not found");

export interface VerbPlan {
  readonly name: string;
  readonly fn: (...args: unknown[]) => unknown;
  readonly asynchronous: boolean;
  readonly authenticated: boolean;
  readonly xsrfExempt: boolean;
  /** One converter per positional parameter, or null when no parameter needs converting. */
  readonly converters: readonly (ArgConverter | null)[] | null;
}

export interface ClassPlan {
  readonly verbs: ReadonlyMap<string, VerbPlan>;
  /** The `Allow` header value: the implemented methods. */
  readonly allow: string;
  readonly slashPolicy: SlashPolicy | undefined;
  /** `@StreamRequestBody`: the body goes to `dataReceived` as it arrives. */
  readonly streamRequestBody: boolean;
}

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const toNumber: ArgConverter = (raw) => (NUMERIC.test(raw) ? Number(raw) : NOT_FOUND);

const plans = new WeakMap<object, ClassPlan>();

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyClass = Function;

/**
 * The plan of `cls`, built on first use. `baseProto` is RequestHandler.prototype: a verb must be
 * defined below it to count.
 */
export function planFor(cls: AnyClass, baseProto: object): ClassPlan {
  let plan = plans.get(cls);
  if (plan === undefined) {
    plan = buildPlan(cls, baseProto);
    plans.set(cls, plan);
  }
  return plan;
}

function buildPlan(cls: AnyClass, baseProto: object): ClassPlan {
  const proto = cls.prototype as Record<string, unknown>;
  const verbs = new Map<string, VerbPlan>();
  // A subclass may widen or narrow the verbs it answers (Tornado's SUPPORTED_METHODS override).
  const supported = (cls as { SUPPORTED_METHODS?: readonly string[] }).SUPPORTED_METHODS ?? SUPPORTED_METHODS;
  for (const method of supported) {
    const name = method.toLowerCase();
    const fn = proto[name];
    if (typeof fn !== "function" || fn === (baseProto as Record<string, unknown>)[name]) continue;
    verbs.set(method, {
      name,
      fn: fn as (...args: unknown[]) => unknown,
      asynchronous: isAsynchronous(cls, name),
      authenticated: isAuthenticated(cls, name),
      xsrfExempt: isXsrfExempt(cls, name),
      converters: convertersFor(cls, name),
    });
  }
  return { verbs, allow: [...verbs.keys()].join(", "), slashPolicy: getSlashPolicy(cls), streamRequestBody: isStreamRequestBody(cls) };
}

function convertersFor(cls: AnyClass, name: string): (ArgConverter | null)[] | null {
  const recorded = getPathArgTypes(cls, name);
  if (recorded === null) return null;
  const converters = recorded.source === "explicit"
    ? recorded.types.map((convert) => (convert === Number ? toNumber : convert === String ? null : guarded(convert)))
    // Design-time types: only `number` parameters convert; strings and anything else stay as matched.
    : recorded.types.map((type) => (type === Number ? toNumber : null));
  return converters.some((c) => c !== null) ? converters : null;
}

/** A user converter: an exception means the path does not fit (404), as for a non-numeric `Number`. */
function guarded(convert: (raw: string) => unknown): ArgConverter {
  return (raw) => {
    try {
      return convert(raw);
    } catch {
      return NOT_FOUND;
    }
  };
}

/**
 * Applies the converters to the positional arguments; NOT_FOUND when one does not convert.
 * Arguments beyond the declared parameters are passed through as strings.
 */
export function convertArgs(plan: VerbPlan, raw: readonly string[]): unknown[] | typeof NOT_FOUND {
  const converters = plan.converters;
  if (converters === null) return raw as unknown[];
  const out: unknown[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const convert = i < converters.length ? converters[i] : null;
    if (convert === null || raw[i] === undefined) {
      out[i] = raw[i];
      continue;
    }
    const value = convert(raw[i]);
    if (value === NOT_FOUND) return NOT_FOUND;
    out[i] = value;
  }
  return out;
}

/** Whether an object has any own enumerable key (without allocating a key list). */
export function hasKeys(obj: Record<string, unknown>): boolean {
  for (const _ in obj) return true;
  return false;
}
