/**
 * `tornado-ts/s3server`: the Amazon S3 REST API backed by local files (the seed's `s3server`).
 *
 * @example
 * import { S3Application } from "tornado-ts/s3server";
 * await new S3Application({ rootDirectory: "/srv/s3" }).listen(9888);
 */
export { S3Application } from "./application";
export type { S3ApplicationOptions } from "./application";
export { S3Handler } from "./handler";
export type { S3Context } from "./handler";
export { S3Error, S3_ERROR_STATUS } from "./errors";
export { Storage, checkBucketName, checkKey } from "./storage";
export type { ObjectMeta, ObjectHeaders, ListOptions, ListResult } from "./storage";
export { MultipartUploads } from "./multipart";
export { AwsChunkedDecoder } from "./chunked";
export type { ChunkSink, ChunkedLimits } from "./chunked";
export { verifyRequest, signingKey, awsUriEncode, ChunkSignatureChecker } from "./sigv4";
export type { Credentials, SignedRequest } from "./sigv4";
export { crc32c, createChecksum } from "./checksum";
export type { ChecksumAlgorithm } from "./checksum";
