/**
 * HTTP Digest access authentication (RFC 7616) for `authMode: "digest"`: the answer to a
 * server's `WWW-Authenticate: Digest ...` challenge, MD5 or SHA-256, qop "auth".
 */

import { createHash, randomBytes } from "node:crypto";

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm?: string;
}

/** Parses a `Digest` challenge from WWW-Authenticate; null when the header offers no Digest. */
export function parseDigestChallenge(header: string | undefined): DigestChallenge | null {
  if (!header) return null;
  const m = /(?:^|,\s*)Digest\s+(.*)$/i.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[1])) !== null) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3];
  if (params.realm === undefined || params.nonce === undefined) return null;
  return { realm: params.realm, nonce: params.nonce, qop: params.qop, opaque: params.opaque, algorithm: params.algorithm };
}

/**
 * The Authorization header value answering `challenge` for `method` on `uri` (path and query).
 *
 * @example
 * digestAuthorization(parseDigestChallenge(res.headers.get("www-authenticate"))!, "GET", "/x", "u", "p");
 */
export function digestAuthorization(
  challenge: DigestChallenge,
  method: string,
  uri: string,
  username: string,
  password: string,
  cnonce = randomBytes(8).toString("hex"),
): string {
  const algorithm = (challenge.algorithm ?? "MD5").toUpperCase();
  const hashName = algorithm.startsWith("SHA-256") ? "sha256" : "md5";
  const h = (s: string): string => createHash(hashName).update(s).digest("hex");
  let ha1 = h(`${username}:${challenge.realm}:${password}`);
  if (algorithm.endsWith("-SESS")) ha1 = h(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const qops = (challenge.qop ?? "").split(",").map((q) => q.trim());
  const nc = "00000001";
  const useQop = qops.includes("auth");
  const response = useQop ? h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`) : h(`${ha1}:${challenge.nonce}:${ha2}`);
  const q = (s: string): string => `"${s.replace(/(["\\])/g, "\\$1")}"`;
  const parts = [
    `username=${q(username)}`,
    `realm=${q(challenge.realm)}`,
    `nonce=${q(challenge.nonce)}`,
    `uri=${q(uri)}`,
    `algorithm=${challenge.algorithm ?? "MD5"}`,
    `response=${q(response)}`,
  ];
  if (challenge.opaque !== undefined) parts.push(`opaque=${q(challenge.opaque)}`);
  if (useQop) parts.push("qop=auth", `nc=${nc}`, `cnonce=${q(cnonce)}`);
  return "Digest " + parts.join(", ");
}
