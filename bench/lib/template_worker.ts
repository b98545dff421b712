/**
 * One template engine measured in a process of its own (`node template_worker.js ENGINE MS`):
 * engines sharing a V8 process perturb each other's JIT feedback, which made in-process ratios
 * swing between runs. Prints renders per second.
 */
import { templateContenders } from "../scenarios/templates";
import { measureRates } from "./timing";

const [name, ms] = process.argv.slice(2);
const contender = templateContenders().find((c) => c.name === name);
if (!contender) throw new Error(`unknown template engine ${name}`);
process.stdout.write(String(measureRates([contender], Number(ms), 1).get(name)));
