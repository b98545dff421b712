/**
 * The s3server driven by real clients from outside the process: Debian's awscli, s3cmd, Python's
 * boto3 (python3-boto3), and curl fetching presigned URLs. Each signs with SigV4.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { commandExists, needs } from "../support/services";
import { ACCESS_KEY, SECRET_KEY, startS3, type S3TestServer } from "../support/s3";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await run(cmd, args, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function sha256File(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** A file of `mb` megabytes with varied content. */
function makeFile(file: string, mb: number): void {
  const fd = fs.openSync(file, "w");
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mb; i++) {
    chunk.fill((i * 13 + 5) & 0xff);
    chunk.writeUInt32BE(i, 100);
    fs.writeSync(fd, chunk);
  }
  fs.closeSync(fd);
}

const AWS = fs.existsSync("/usr/bin/aws") ? "/usr/bin/aws" : "aws";
const PYTHON = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

describe("s3server with real S3 clients", function () {
  this.timeout(300_000);
  let s3: S3TestServer;
  let work: string;

  before(async () => {
    s3 = await startS3({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
    work = fs.mkdtempSync(path.join(s3.dir, "..", "tt-s3-clients-"));
  });
  after(async () => {
    await s3.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe("Debian's awscli", () => {
    let env: Record<string, string>;
    before(function () {
      needs(this, "awscli", commandExists(AWS), "apt-get install awscli");
      env = {
        AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_DEFAULT_REGION: "us-east-1",
        AWS_CONFIG_FILE: path.join(work, "no-config"), AWS_SHARED_CREDENTIALS_FILE: path.join(work, "no-credentials"),
      };
    });
    const aws = (...args: string[]): Promise<string> => ok(AWS, ["--endpoint-url", s3.endpoint, ...args], env);

    it("makes a bucket, copies a 12 MB file up (multipart) and down, and lists it", async () => {
      await aws("s3", "mb", "s3://cli-bucket");
      const big = path.join(work, "big.bin");
      makeFile(big, 12);
      await aws("s3", "cp", big, "s3://cli-bucket/dir/big.bin");
      const head = JSON.parse(await aws("s3api", "head-object", "--bucket", "cli-bucket", "--key", "dir/big.bin")) as { ContentLength: number; ETag: string };
      expect(head.ContentLength).to.equal(12 * 1024 * 1024);
      expect(head.ETag).to.match(/-\d+"$/); // over 8 MB: the CLI used multipart
      const back = path.join(work, "big.back");
      await aws("s3", "cp", "s3://cli-bucket/dir/big.bin", back);
      expect(sha256File(back)).to.equal(sha256File(big));
      expect(await aws("s3", "ls", "s3://cli-bucket/dir/")).to.match(/12582912 big\.bin/);
      expect(await aws("s3", "ls")).to.contain("cli-bucket");
    });

    it("syncs a directory, then removes it recursively", async () => {
      const dir = path.join(work, "tree");
      fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
      for (const [name, text] of [["a.txt", "alpha"], ["sub/b.txt", "beta"], ["sub/c d.txt", "gamma"]]) fs.writeFileSync(path.join(dir, name), text);
      await aws("s3", "sync", dir, "s3://cli-bucket/tree");
      const listed = JSON.parse(await aws("s3api", "list-objects-v2", "--bucket", "cli-bucket", "--prefix", "tree/")) as { Contents: { Key: string }[] };
      expect(listed.Contents.map((o) => o.Key)).to.deep.equal(["tree/a.txt", "tree/sub/b.txt", "tree/sub/c d.txt"]);
      const again = await aws("s3", "sync", dir, "s3://cli-bucket/tree");
      expect(again.trim()).to.equal(""); // nothing changed: nothing uploaded
      await aws("s3", "rm", "--recursive", "s3://cli-bucket/tree");
      const left = await run(AWS, ["--endpoint-url", s3.endpoint, "s3", "ls", "s3://cli-bucket/tree/"], env);
      expect(left.stdout).to.equal(""); // (the CLI exits 1 when a listing is empty)
    });

    it("reports a missing key as an error", async () => {
      const r = await run(AWS, ["--endpoint-url", s3.endpoint, "s3api", "head-object", "--bucket", "cli-bucket", "--key", "nope"], env);
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.match(/404|Not Found/);
    });
  });

  describe("s3cmd", () => {
    let config: string;
    before(function () {
      needs(this, "s3cmd", commandExists("s3cmd"), "apt-get install s3cmd");
      config = path.join(work, "s3cfg");
      const host = `127.0.0.1:${s3.port}`;
      fs.writeFileSync(config, `[default]\naccess_key = ${ACCESS_KEY}\nsecret_key = ${SECRET_KEY}\nhost_base = ${host}\nhost_bucket = ${host}\nuse_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n`);
    });
    const s3cmd = (...args: string[]): Promise<string> => ok("s3cmd", ["-c", config, ...args]);

    it("makes a bucket, puts, lists, gets and deletes", async () => {
      await s3cmd("mb", "s3://s3cmd-bucket");
      const file = path.join(work, "s3cmd.txt");
      fs.writeFileSync(file, "from s3cmd\n");
      await s3cmd("put", file, "s3://s3cmd-bucket/notes/s3cmd.txt");
      expect(await s3cmd("ls", "s3://s3cmd-bucket/notes/")).to.contain("s3://s3cmd-bucket/notes/s3cmd.txt");
      const back = path.join(work, "s3cmd.back");
      await s3cmd("get", "--force", "s3://s3cmd-bucket/notes/s3cmd.txt", back);
      expect(fs.readFileSync(back, "utf8")).to.equal("from s3cmd\n");
      await s3cmd("del", "s3://s3cmd-bucket/notes/s3cmd.txt");
      await s3cmd("rb", "s3://s3cmd-bucket");
      expect(await s3cmd("ls")).to.not.contain("s3cmd-bucket");
    });

    it("uploads a 12 MB file in multipart chunks", async () => {
      await s3cmd("mb", "s3://s3cmd-multi");
      const big = path.join(work, "s3cmd-big.bin");
      makeFile(big, 12);
      await s3cmd("put", "--multipart-chunk-size-mb=5", big, "s3://s3cmd-multi/big.bin");
      const back = path.join(work, "s3cmd-big.back");
      await s3cmd("get", "--force", "s3://s3cmd-multi/big.bin", back);
      expect(sha256File(back)).to.equal(sha256File(big));
    });
  });

  describe("Python boto3", () => {
    before(async function () {
      const available = (await run(PYTHON, ["-c", "import boto3"])).code === 0;
      needs(this, "python3-boto3", available, "apt-get install python3-boto3");
    });

    it("creates a bucket, puts with metadata, lists, gets, copies and deletes", async () => {
      const script = `
import boto3, json, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1")
s3.create_bucket(Bucket="boto-bucket")
s3.put_object(Bucket="boto-bucket", Key="py/obj.txt", Body=b"from boto3", ContentType="text/plain", Metadata={"lang": "python"})
head = s3.head_object(Bucket="boto-bucket", Key="py/obj.txt")
body = s3.get_object(Bucket="boto-bucket", Key="py/obj.txt")["Body"].read().decode()
s3.copy_object(Bucket="boto-bucket", Key="py/copy.txt", CopySource={"Bucket": "boto-bucket", "Key": "py/obj.txt"})
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="boto-bucket", Prefix="py/")["Contents"]]
s3.delete_objects(Bucket="boto-bucket", Delete={"Objects": [{"Key": k} for k in keys]})
left = s3.list_objects_v2(Bucket="boto-bucket").get("KeyCount")
try:
    s3.get_object(Bucket="boto-bucket", Key="gone")
    missing = "found"
except s3.exceptions.NoSuchKey:
    missing = "NoSuchKey"
print(json.dumps({"body": body, "meta": head["Metadata"], "type": head["ContentType"], "keys": keys, "left": left, "missing": missing}))
`;
      const out = JSON.parse(await ok(PYTHON, ["-c", script, s3.endpoint, ACCESS_KEY, SECRET_KEY]));
      expect(out).to.deep.equal({ body: "from boto3", meta: { lang: "python" }, type: "text/plain", keys: ["py/copy.txt", "py/obj.txt"], left: 0, missing: "NoSuchKey" });
    });
  });

  describe("presigned URLs with curl", () => {
    let client: S3Client;
    before(async function () {
      needs(this, "curl", commandExists("curl"), "apt-get install curl");
      client = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
      await s3.app.storage.createBucket("presign-bucket");
    });
    after(() => client?.destroy());

    it("uploads and downloads through presigned URLs, and refuses a tampered one", async () => {
      const putUrl = await getSignedUrl(client, new PutObjectCommand({ Bucket: "presign-bucket", Key: "via curl.txt" }), { expiresIn: 300 });
      const file = path.join(work, "curl.txt");
      fs.writeFileSync(file, "uploaded by curl");
      expect(await ok("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", file, putUrl])).to.equal("200");
      const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket: "presign-bucket", Key: "via curl.txt" }), { expiresIn: 300 });
      expect(await ok("curl", ["-sS", getUrl])).to.equal("uploaded by curl");
      const tampered = getUrl.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => "X-Amz-Signature=" + (c === "0" ? "1" : "0"));
      const refused = await ok("curl", ["-sS", "-w", "\n%{http_code}", tampered]);
      expect(refused).to.contain("<Code>SignatureDoesNotMatch</Code>");
      expect(refused.endsWith("403")).to.equal(true);
    });

    it("refuses an expired presigned URL", async () => {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: "presign-bucket", Key: "via curl.txt" }), { expiresIn: 1 });
      await new Promise((r) => setTimeout(r, 2100));
      const out = await ok("curl", ["-sS", "-w", "\n%{http_code}", url]);
      expect(out).to.match(/Request has expired/);
      expect(out.endsWith("403")).to.equal(true);
    });
  });
});
