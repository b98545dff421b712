/** Twitter (X) sign-in: OAuth 1.0a, the user from account/verify_credentials. */

import type { HandlerClass, MixinCtor } from "./mixin";
import { OAuthMixin, type OAuthMethods, type OAuthToken } from "./oauth1";

/** What TwitterMixin adds to a handler. */
export interface TwitterMethods extends OAuthMethods {
  twitterAuthenticateUrl: string;
  twitterApiUrl: string;
  twitterConsumerKey: string;
  twitterConsumerSecret: string;
  twitterRequest(path: string, accessToken: OAuthToken, args?: Record<string, string>, postArgs?: Record<string, string>): Promise<unknown>;
}

/**
 * Set `twitterConsumerKey`/`twitterConsumerSecret` (or override `oauthConsumerToken`).
 *
 * @example
 * class TwitterLogin extends TwitterMixin(RequestHandler) {
 *   twitterConsumerKey = KEY; twitterConsumerSecret = SECRET;
 *   async get() {
 *     if (this.getArgument("oauth_token", null)) { const user = await this.getAuthenticatedUser(); ... }
 *     else await this.authenticateRedirect("http://localhost:8888/auth/twitter");
 *   }
 * }
 */
export function TwitterMixin<TBase extends HandlerClass>(Base: TBase): TBase & MixinCtor<TwitterMethods> {
  abstract class TwitterHandler extends OAuthMixin(Base) {
    override oauthRequestTokenUrl = "https://api.twitter.com/oauth/request_token";
    override oauthAccessTokenUrl = "https://api.twitter.com/oauth/access_token";
    override oauthAuthorizeUrl = "https://api.twitter.com/oauth/authorize";
    twitterAuthenticateUrl = "https://api.twitter.com/oauth/authenticate";
    twitterApiUrl = "https://api.twitter.com/1.1";
    twitterConsumerKey = "";
    twitterConsumerSecret = "";

    override oauthConsumerToken(): OAuthToken {
      return { key: this.twitterConsumerKey, secret: this.twitterConsumerSecret };
    }

    /** Sign in without re-consent when the user already authorized this app. */
    override authenticateRedirect(callbackUri?: string): Promise<void> {
      return super.authenticateRedirect(callbackUri, this.twitterAuthenticateUrl);
    }

    override async oauthGetUser(accessToken: OAuthToken): Promise<Record<string, unknown> | null> {
      return (await this.twitterRequest("/account/verify_credentials.json", accessToken)) as Record<string, unknown>;
    }

    /** A signed Twitter API call (`path` like "/statuses/update.json"). */
    twitterRequest(path: string, accessToken: OAuthToken, args: Record<string, string> = {}, postArgs?: Record<string, string>): Promise<unknown> {
      return this.oauthRequest(this.twitterApiUrl + path, accessToken, args, postArgs);
    }
  }
  return TwitterHandler;
}
