/** GitHub sign-in: OAuth 2.0 (GitHub supports PKCE), the user from api.github.com/user. */

import { AuthError } from "./errors";
import type { HandlerClass, MixinCtor } from "./mixin";
import { OAuth2Mixin, type OAuth2Methods, type TokenRequestOptions } from "./oauth2";

/** What GitHubOAuth2Mixin adds to a handler. */
export interface GitHubMethods extends OAuth2Methods {
  githubApiUrl: string;
  getAuthenticatedUser(options: TokenRequestOptions): Promise<Record<string, unknown> & { accessToken: string }>;
}

/**
 * @example
 * class GitHubLogin extends GitHubOAuth2Mixin(RequestHandler) {
 *   async get() {
 *     const opts = { redirectUri: "http://localhost:8888/auth/github", clientId: ID, clientSecret: SECRET };
 *     if (!this.getArgument("code", null)) return this.authorizeRedirect({ ...opts, scope: ["read:user"] });
 *     const user = await this.getAuthenticatedUser(opts); // { id, login, name, accessToken, … }
 *   }
 * }
 */
export function GitHubOAuth2Mixin<TBase extends HandlerClass>(Base: TBase): TBase & MixinCtor<GitHubMethods> {
  abstract class GitHubHandler extends OAuth2Mixin(Base) {
    override oauthAuthorizeUrl = "https://github.com/login/oauth/authorize";
    override oauthAccessTokenUrl = "https://github.com/login/oauth/access_token";
    githubApiUrl = "https://api.github.com";

    /** Exchanges the code and returns GitHub's user record with `accessToken`. */
    async getAuthenticatedUser(options: TokenRequestOptions): Promise<Record<string, unknown> & { accessToken: string }> {
      const { tokens } = await this.getAuthenticatedTokens(options);
      const user = (await this.oauth2Request(this.githubApiUrl + "/user", tokens.access_token)) as Record<string, unknown>;
      if (!user || typeof user !== "object") throw new AuthError("GitHub returned no user");
      return { ...user, accessToken: tokens.access_token };
    }
  }
  return GitHubHandler;
}
