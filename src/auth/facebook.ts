/** Facebook login: OAuth 2.0 plus Graph API calls signed with `appsecret_proof`. */

import { createHmac } from "node:crypto";
import type { HandlerClass, MixinCtor } from "./mixin";
import { OAuth2Mixin, type OAuth2Methods, type TokenRequestOptions } from "./oauth2";

/** What FacebookGraphMixin adds to a handler. */
export interface FacebookMethods extends OAuth2Methods {
  facebookGraphUrl: string;
  getAuthenticatedUser(options: TokenRequestOptions & { clientSecret: string }, fields?: string[]): Promise<Record<string, unknown> & { accessToken: string }>;
  facebookRequest(path: string, accessToken: string, appSecret: string, args?: Record<string, string>, postArgs?: Record<string, string>): Promise<unknown>;
}

/** HMAC-SHA256 of the access token keyed with the app secret, as the Graph API asks. */
export function appsecretProof(accessToken: string, appSecret: string): string {
  return createHmac("sha256", appSecret).update(accessToken).digest("hex");
}

/**
 * @example
 * class FacebookLogin extends FacebookGraphMixin(RequestHandler) {
 *   async get() {
 *     const opts = { redirectUri: "http://localhost:8888/auth/facebook", clientId: APP_ID, clientSecret: APP_SECRET };
 *     if (!this.getArgument("code", null)) return this.authorizeRedirect({ ...opts, scope: ["email"] });
 *     const user = await this.getAuthenticatedUser(opts); // { id, name, email, accessToken }
 *   }
 * }
 */
export function FacebookGraphMixin<TBase extends HandlerClass>(Base: TBase): TBase & MixinCtor<FacebookMethods> {
  abstract class FacebookHandler extends OAuth2Mixin(Base) {
    override oauthAuthorizeUrl = "https://www.facebook.com/dialog/oauth";
    override oauthAccessTokenUrl = "https://graph.facebook.com/oauth/access_token";
    facebookGraphUrl = "https://graph.facebook.com";

    /** Exchanges the code and returns the Graph API's `/me` with `accessToken`. */
    async getAuthenticatedUser(options: TokenRequestOptions & { clientSecret: string }, fields = ["id", "name", "email"]): Promise<Record<string, unknown> & { accessToken: string }> {
      const { tokens } = await this.getAuthenticatedTokens(options);
      const user = (await this.facebookRequest("/me", tokens.access_token, options.clientSecret, { fields: fields.join(",") })) as Record<string, unknown>;
      return { ...user, accessToken: tokens.access_token };
    }

    /** A Graph API call (`path` like "/me/feed") with the token and its appsecret_proof. */
    facebookRequest(path: string, accessToken: string, appSecret: string, args: Record<string, string> = {}, postArgs?: Record<string, string>): Promise<unknown> {
      return this.oauth2Request(this.facebookGraphUrl + path, accessToken, { ...args, appsecret_proof: appsecretProof(accessToken, appSecret) }, postArgs);
    }
  }
  return FacebookHandler;
}
