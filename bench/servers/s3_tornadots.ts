/** tornado-ts's s3server for the s3 scenario: `node s3_tornadots.js ROOT`, SigV4 with the bench keys. */
import { S3Application } from "../../src/s3server/application";
import { announce } from "./common";

async function main(): Promise<void> {
  const app = new S3Application({ rootDirectory: process.argv[2], accessKey: "S3RVER", secretKey: "S3RVER" });
  const server = await app.listen(0, "127.0.0.1", { maxBodySize: 1024 ** 3 });
  announce(server.address()!.port);
}
void main();
