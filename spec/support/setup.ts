/**
 * Loaded before every spec (see .mocharc.json): the suite runs with logging silenced so the
 * report stays readable; set TORNADO_LOG=debug|info|warning|error to see the logs of a run.
 */
import "source-map-support/register";
import { setLogLevel, type LogLevelSetting } from "../../src/log";

setLogLevel((process.env.TORNADO_LOG as LogLevelSetting | undefined) ?? "none");
