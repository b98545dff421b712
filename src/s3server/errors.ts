/**
 * S3's error codes with their HTTP statuses, and the S3Error the operations throw. The handler
 * turns one into S3's XML error document.
 */

/** Status of each S3 error code this server answers with. */
export const S3_ERROR_STATUS: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  BadDigest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MaxMessageLengthExceeded: 400,
  MetadataTooLarge: 400,
  InvalidURI: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  InvalidAccessKeyId: 403,
  XAmzContentSHA256Mismatch: 400,
};

/**
 * An S3 error: `code` picks the status; `resource` is the bucket or key it concerns.
 *
 * @example
 * throw new S3Error("NoSuchKey", "The specified key does not exist.", "/bucket/key");
 */
export class S3Error extends Error {
  readonly status: number;

  constructor(
    readonly code: string,
    message: string,
    readonly resource?: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = "S3Error";
    this.status = S3_ERROR_STATUS[code] ?? 400;
  }
}
