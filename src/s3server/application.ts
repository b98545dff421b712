/**
 * S3Application: an Application serving the Amazon S3 REST API from local files, as the seed's
 * `s3server` ("implements most of the Amazon S3 interface, backed by local file storage").
 */
import { Application } from "../web/application";
import type { ApplicationSettings } from "../web/settings";
import { S3Handler, type S3Context } from "./handler";
import { MultipartUploads } from "./multipart";
import { Storage } from "./storage";

/** Options of S3Application. */
export interface S3ApplicationOptions {
  /** Where buckets and objects are kept (created if missing). */
  rootDirectory: string;
  /** Levels of two-hex-digit directories objects fan out into (the seed's `bucket_depth`; default 0). */
  bucketDepth?: number;
  /** With `secretKey`: require AWS Signature V4 by this key pair. Without: open, as the seed. */
  accessKey?: string;
  secretKey?: string;
  /** Host names under which `BUCKET.NAME` addresses a bucket (default `["localhost"]`). */
  domains?: string[];
  /** Smallest multipart part other than the last (default 5 MiB, as S3). */
  minPartSize?: number;
  /** Largest single PUT or part (default 5 GiB, as S3). */
  maxObjectSize?: number;
  /** Other Application settings (logging, …). */
  settings?: ApplicationSettings;
}

/**
 * The S3 API as a tornado-ts Application.
 *
 * @example
 * const app = new S3Application({ rootDirectory: "/srv/s3" });
 * await app.listen(9888, "127.0.0.1", { maxBodySize: 5 * 1024 ** 3 });
 * // aws --endpoint-url http://127.0.0.1:9888 s3 ls
 */
export class S3Application extends Application {
  readonly storage: Storage;
  readonly context: S3Context;

  constructor(options: S3ApplicationOptions) {
    if (!options || typeof options.rootDirectory !== "string" || options.rootDirectory === "") {
      throw new Error("S3Application needs { rootDirectory: a directory for the buckets }");
    }
    if ((options.accessKey === undefined) !== (options.secretKey === undefined)) {
      throw new Error("S3Application: give both accessKey and secretKey (or neither, for an open server)");
    }
    const storage = new Storage(options.rootDirectory, options.bucketDepth ?? 0);
    const context: S3Context = {
      storage,
      uploads: new MultipartUploads(storage, options.minPartSize),
      credentials: options.accessKey !== undefined ? { accessKey: options.accessKey, secretKey: options.secretKey! } : null,
      domains: options.domains ?? ["localhost"],
      maxObjectSize: options.maxObjectSize ?? 5 * 1024 ** 3,
    };
    super([["/.*", S3Handler, context]], options.settings ?? {});
    this.storage = storage;
    this.context = context;
  }
}
