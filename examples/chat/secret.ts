/**
 * The chat demo's cookie secret, kept in a file so a restart does not sign everyone out: an open
 * page's signed cookie stays valid and its next post still goes through.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Shorter than this is not a secret worth signing with (base64 of 32 random bytes is 44). */
const MIN_LENGTH = 32;

/**
 * Where the secret lives: `$XDG_STATE_HOME/tornado-ts/chat-cookie-secret`, else under
 * `~/.local/state` (the XDG base-directory default for state that survives restarts).
 *
 * @example
 * defaultSecretFile({ XDG_STATE_HOME: "/var/lib/me" }); // "/var/lib/me/tornado-ts/chat-cookie-secret"
 */
export function defaultSecretFile(env: NodeJS.ProcessEnv = process.env): string {
  const stateHome = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(os.homedir(), ".local", "state");
  return path.join(stateHome, "tornado-ts", "chat-cookie-secret");
}

/**
 * The secret stored in `file`, creating the file (mode 0600, folder 0700) with a fresh random
 * secret the first time. Two processes starting at once agree: the file appears complete (written
 * aside, then hard-linked into place) and the loser of the race reads the winner's secret. Throws,
 * naming the file, when it holds no usable secret.
 *
 * @example
 * const cookieSecret = loadOrCreateSecret(defaultSecretFile());
 */
export function loadOrCreateSecret(file: string): string {
  const existing = readSecret(file);
  if (existing !== undefined) return existing;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString("base64");
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  fs.writeFileSync(aside, secret + "\n", { flag: "wx", mode: 0o600 });
  try {
    fs.linkSync(aside, file);
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return readSecret(file) ?? loadOrCreateSecret(file);
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function readSecret(file: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const secret = text.trim();
  if (secret.length < MIN_LENGTH) {
    throw new Error(`The cookie secret in ${file} is shorter than ${MIN_LENGTH} characters: delete the file to get a new one, or pass --cookie-secret`);
  }
  return secret;
}
