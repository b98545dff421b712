/**
 * The seed's s3server as a command: the S3 API on local files.
 *
 * @example
 * npm run s3server -- --root=/tmp/s3 --port=9888
 * npm run s3server -- --root=/tmp/s3 --access-key=AK --secret-key=SK   # require SigV4
 */
import { define, options, parseCommandLine } from "../../src/options";
import { S3Application } from "../../src/s3server/application";

define("port", { default: 9888, help: "run on the given port" });
define("address", { default: "127.0.0.1", help: "listen on this address" });
define("root", { default: "", help: "directory holding the buckets (required)" });
define("bucket_depth", { default: 0, help: "levels of hex directories objects fan out into" });
define("access_key", { default: "", help: "with --secret-key: require AWS Signature V4" });
define("secret_key", { default: "", help: "the secret of --access-key" });

async function main(): Promise<void> {
  parseCommandLine();
  const root = options.root as string;
  if (!root) throw new Error("give --root=DIR, the directory that holds the buckets");
  const accessKey = (options.access_key as string) || undefined;
  const secretKey = (options.secret_key as string) || undefined;
  const app = new S3Application({ rootDirectory: root, bucketDepth: options.bucket_depth as number, accessKey, secretKey });
  // S3 objects are up to 5 GiB; the body limit of the server is S3's, not a web form's.
  const server = await app.listen(options.port as number, options.address as string, { maxBodySize: 5 * 1024 ** 3, bodyTimeout: 3600 });
  const endpoint = `http://${options.address}:${server.address()?.port ?? options.port}`;
  console.log(`s3server: ${endpoint} serving ${root}${accessKey ? " (SigV4 required)" : " (open: any credentials are accepted)"}`);
  console.log(`  AWS CLI: AWS_ACCESS_KEY_ID=${accessKey ?? "any"} AWS_SECRET_ACCESS_KEY=${secretKey ? "…" : "any"} aws --endpoint-url ${endpoint} s3 ls`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
