/** Peer for the s3 scenario: s3rver (npm), on a directory, with its default S3RVER keys. */
import { announce } from "./common";

const S3rver = require("s3rver") as new (o: Record<string, unknown>) => { run(): Promise<{ port: number }> };

async function main(): Promise<void> {
  const server = new S3rver({ port: 0, address: "127.0.0.1", directory: process.argv[2], silent: true });
  const { port } = await server.run();
  announce(port);
}
void main();
