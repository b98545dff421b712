/** A minimal cookie-keeping client over fetch, for end-to-end specs. */

export class BrowserLikeClient {
  readonly cookies = new Map<string, string>();

  constructor(private readonly base: string) {}

  /** fetch with the jar's cookies sent and Set-Cookie answers stored; redirects are not followed. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(this.base + path, { redirect: "manual", ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** POSTs a form with the `_xsrf` cookie value added, as the seed's forms do. */
  postForm(path: string, fields: Record<string, string>, withXsrf = true): Promise<Response> {
    const body = new URLSearchParams(fields);
    if (withXsrf && this.cookies.has("_xsrf")) body.set("_xsrf", decodeURIComponent(this.cookies.get("_xsrf")!.replace(/^"|"$/g, "")));
    return this.fetch(path, { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  }
}
