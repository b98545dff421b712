/**
 * "Sign in with …": Google, GitHub, Twitter and Facebook (each shown when its client id and
 * secret are configured), plus a local development provider that always works offline.
 * Each login handler is a few lines over a tornado-ts/auth mixin.
 */
import {
  AuthError, FacebookGraphMixin, GitHubOAuth2Mixin, GoogleOAuth2Mixin, OpenIdConnectMixin, TwitterMixin,
  type TokenRequestOptions,
} from "../../src/auth";
import { xhtmlEscape } from "../../src";
import { Application, RequestHandler, type ApplicationSettings } from "../../src/web";
import { DevProvider, devProviderRoutes } from "./devprovider";

export interface ProviderCredentials {
  clientId: string;
  clientSecret: string;
}

export interface AuthExampleSettings {
  /** This app's public base URL (callbacks are built from it), e.g. http://localhost:8888. */
  baseUrl: string;
  cookieSecret: string;
  google?: ProviderCredentials;
  github?: ProviderCredentials;
  facebook?: ProviderCredentials;
  twitter?: ProviderCredentials;
}

interface SignedInUser {
  name: string;
  provider: string;
}

const PROVIDERS = [
  ["dev", "the development provider"],
  ["google", "Google"],
  ["github", "GitHub"],
  ["twitter", "Twitter"],
  ["facebook", "Facebook"],
] as const;

class BaseHandler extends RequestHandler {
  get example(): AuthExampleSettings {
    return this.settings.example as AuthExampleSettings;
  }

  override getCurrentUser(): SignedInUser | null {
    const raw = this.getSecureCookie("user");
    return raw ? (JSON.parse(raw) as SignedInUser) : null;
  }

  /** The options every OAuth 2.0 callback needs, for a configured provider. */
  oauthOptions(name: "dev" | "google" | "github" | "facebook"): TokenRequestOptions & ProviderCredentials {
    const creds = name === "dev" ? DEV_CLIENT : this.example[name];
    if (!creds) throw new AuthError(`${name} sign-in is not configured (set its client id and secret)`);
    return { redirectUri: `${this.example.baseUrl}/auth/${name}`, ...creds };
  }

  signIn(name: unknown, provider: string): void {
    this.setSecureCookie("user", JSON.stringify({ name: String(name ?? "someone"), provider }), { httpOnly: true });
    this.redirect("/");
  }

  refuse(err: unknown): void {
    if (!(err instanceof AuthError)) throw err;
    this.setStatus(403);
    this.write(`<p>Sign-in failed: ${xhtmlEscape(err.message)}</p><p><a href="/">Back</a></p>`);
  }

  /** True on the provider's callback (a code or an error), false when the flow should start. */
  isCallback(): boolean {
    return this.getArgument("code", null) !== null || this.getArgument("error", null) !== null;
  }
}

export const DEV_CLIENT: ProviderCredentials = { clientId: "auth-example", clientSecret: "dev-only-secret" };

class HomeHandler extends BaseHandler {
  get(): void {
    const user = this.currentUser as SignedInUser | null;
    if (user) {
      this.write(`<!DOCTYPE html><title>Signed in</title><p id="hello">Hello, ${xhtmlEscape(user.name)} (via ${xhtmlEscape(user.provider)})</p><p><a id="logout" href="/logout">Sign out</a></p>`);
      return;
    }
    const links = PROVIDERS.filter(([id]) => id === "dev" || this.example[id])
      .map(([id, label]) => `<li><a id="signin-${id}" href="/auth/${id}">Sign in with ${label}</a></li>`).join("");
    this.write(`<!DOCTYPE html><title>Sign in</title><h1>Sign in</h1><ul>${links}</ul>`);
  }
}

class LogoutHandler extends BaseHandler {
  get(): void {
    this.clearCookie("user");
    this.redirect("/");
  }
}

class DevLogin extends OpenIdConnectMixin(BaseHandler) {
  async get(): Promise<void> {
    this.oidcIssuer = `${this.example.baseUrl}/dev-provider`;
    try {
      if (!this.isCallback()) return await this.authorizeRedirect(this.oauthOptions("dev"));
      const user = await this.getAuthenticatedUser(this.oauthOptions("dev"));
      this.signIn(user.name, "development provider");
    } catch (err) {
      this.refuse(err);
    }
  }
}

class GoogleLogin extends GoogleOAuth2Mixin(BaseHandler) {
  async get(): Promise<void> {
    try {
      if (!this.isCallback()) return await this.authorizeRedirect(this.oauthOptions("google"));
      const user = await this.getAuthenticatedUser(this.oauthOptions("google"));
      this.signIn(user.name ?? user.email, "Google");
    } catch (err) {
      this.refuse(err);
    }
  }
}

class GitHubLogin extends GitHubOAuth2Mixin(BaseHandler) {
  async get(): Promise<void> {
    try {
      if (!this.isCallback()) return this.authorizeRedirect({ ...this.oauthOptions("github"), scope: ["read:user"] });
      const user = await this.getAuthenticatedUser(this.oauthOptions("github"));
      this.signIn(user.name ?? user.login, "GitHub");
    } catch (err) {
      this.refuse(err);
    }
  }
}

class FacebookLogin extends FacebookGraphMixin(BaseHandler) {
  async get(): Promise<void> {
    try {
      if (!this.isCallback()) return this.authorizeRedirect({ ...this.oauthOptions("facebook"), scope: ["email"] });
      const user = await this.getAuthenticatedUser(this.oauthOptions("facebook"));
      this.signIn(user.name, "Facebook");
    } catch (err) {
      this.refuse(err);
    }
  }
}

class TwitterLogin extends TwitterMixin(BaseHandler) {
  async get(): Promise<void> {
    const creds = this.example.twitter;
    try {
      if (!creds) throw new AuthError("twitter sign-in is not configured (set its consumer key and secret)");
      this.twitterConsumerKey = creds.clientId;
      this.twitterConsumerSecret = creds.clientSecret;
      if (!this.getArgument("oauth_token", null)) return await this.authenticateRedirect(`${this.example.baseUrl}/auth/twitter`);
      const user = await this.getAuthenticatedUser();
      this.signIn(user.name ?? user.screen_name, "Twitter");
    } catch (err) {
      this.refuse(err);
    }
  }
}

/**
 * The example's application. `baseUrl` may change after listening on port 0: update
 * `app.settings.example.baseUrl` and `devProvider.options.issuer` together (see main.ts).
 */
export function makeAuthApplication(example: AuthExampleSettings, settings: ApplicationSettings = {}): { app: Application; devProvider: DevProvider } {
  const devProvider = new DevProvider({ issuer: `${example.baseUrl}/dev-provider`, ...{ clientId: DEV_CLIENT.clientId, clientSecret: DEV_CLIENT.clientSecret } });
  const app = new Application([
    ["/", HomeHandler],
    ["/logout", LogoutHandler],
    ["/auth/dev", DevLogin],
    ["/auth/google", GoogleLogin],
    ["/auth/github", GitHubLogin],
    ["/auth/facebook", FacebookLogin],
    ["/auth/twitter", TwitterLogin],
    ...devProviderRoutes("/dev-provider", devProvider),
  ], { cookieSecret: example.cookieSecret, example, ...settings });
  return { app, devProvider };
}

/** Sets the public base URL once the port is known. */
export function setBaseUrl(app: Application, devProvider: DevProvider, baseUrl: string): void {
  (app.settings.example as AuthExampleSettings).baseUrl = baseUrl;
  devProvider.options.issuer = `${baseUrl}/dev-provider`;
}
