/** Starts an S3Application on a temporary directory and port for the s3server specs. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { HTTPServer } from "../../src/httpserver";
import { S3Application, type S3ApplicationOptions } from "../../src/s3server/application";

// The SDK's notice about Node 22 says nothing about the server under test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export const ACCESS_KEY = "AKIDTORNADOTS";
export const SECRET_KEY = "tornado-ts-secret-key-for-specs";

export interface S3TestServer {
  app: S3Application;
  server: HTTPServer;
  port: number;
  endpoint: string;
  dir: string;
  close(): Promise<void>;
}

export async function startS3(options: Partial<S3ApplicationOptions> = {}, maxBodySize = 5 * 1024 ** 3): Promise<S3TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-s3-"));
  const app = new S3Application({ rootDirectory: dir, ...options });
  const server = await app.listen(0, "127.0.0.1", { maxBodySize });
  const port = server.address()!.port;
  return {
    app, server, port, dir,
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
