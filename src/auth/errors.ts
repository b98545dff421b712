/** AuthError: a third-party login failed; the message carries the provider's own words. */
export class AuthError extends Error {
  override name = "AuthError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
