/** Google sign-in: OpenID Connect against accounts.google.com. */

import type { HandlerClass, MixinCtor } from "./mixin";
import { OpenIdConnectMixin, type OpenIdConnectMethods } from "./openid";

/**
 * @example
 * class GoogleLogin extends GoogleOAuth2Mixin(RequestHandler) {
 *   async get() {
 *     const opts = { redirectUri: "http://localhost:8888/auth/google", clientId: ID, clientSecret: SECRET };
 *     if (!this.getArgument("code", null)) return this.authorizeRedirect(opts);
 *     const user = await this.getAuthenticatedUser(opts); // verified ID token claims: sub, email, name…
 *   }
 * }
 */
export function GoogleOAuth2Mixin<TBase extends HandlerClass>(Base: TBase): TBase & MixinCtor<OpenIdConnectMethods> {
  abstract class GoogleHandler extends OpenIdConnectMixin(Base) {
    override oidcIssuer = "https://accounts.google.com";
  }
  return GoogleHandler;
}
