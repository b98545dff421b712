/**
 * S3's XML documents, built and parsed with fast-xml-parser (kept, fast, no native code): the
 * listing and multipart results, the error document, and the two request bodies we read
 * (DeleteObjects, CompleteMultipartUpload).
 */
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { S3Error } from "./errors";

export const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  suppressEmptyNode: false,
  processEntities: true,
  format: false,
});

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  isArray: (name) => name === "Object" || name === "Part",
});

/** An XML element's content: text, a number, nested elements, or a list of repeated elements. */
export type XmlValue = string | number | boolean | XmlObject | XmlValue[] | undefined;
export interface XmlObject {
  [name: string]: XmlValue;
}

/**
 * `<?xml …?><Root xmlns="…">…</Root>`. Undefined fields are left out; arrays repeat the element.
 *
 * @example
 * buildDocument("ListAllMyBucketsResult", { Buckets: { Bucket: [{ Name: "a" }] } });
 */
export function buildDocument(root: string, body: XmlObject, namespace: string | null = S3_NAMESPACE): string {
  const content: XmlObject = namespace === null ? { ...prune(body) } : { "@_xmlns": namespace, ...prune(body) };
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build({ [root]: content });
}

function prune(obj: XmlObject): XmlObject {
  const out: XmlObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) out[k] = v.map((item) => (isObject(item) ? prune(item) : item));
    else out[k] = isObject(v) ? prune(v) : v;
  }
  return out;
}

function isObject(v: XmlValue): v is XmlObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** S3's `<Error>` document. */
export function errorDocument(err: S3Error, requestId: string): string {
  return buildDocument(
    "Error",
    { Code: err.code, Message: err.message, Resource: err.resource, RequestId: requestId, ...err.extra },
    null,
  );
}

/** Parses a request body; anything that is not well-formed XML with the `root` element is MalformedXML. */
function parseRoot(body: Buffer, root: string): XmlObject {
  let doc: XmlObject;
  try {
    doc = parser.parse(body.toString("utf8"), true) as XmlObject;
  } catch (err) {
    throw new S3Error("MalformedXML", "The XML you provided was not well-formed: " + (err as Error).message);
  }
  const top = doc[root];
  if (top === "") return {};
  if (!isObject(top)) throw new S3Error("MalformedXML", `The XML you provided was not well-formed or did not validate: expected <${root}>`);
  return top;
}

/** The keys of a DeleteObjects request, and whether the answer should list only errors. */
export function parseDeleteRequest(body: Buffer): { keys: string[]; quiet: boolean } {
  const top = parseRoot(body, "Delete");
  const objects = (top.Object ?? []) as XmlValue[];
  const keys = objects.map((o) => {
    const key = isObject(o) ? o.Key : undefined;
    if (typeof key !== "string") throw new S3Error("MalformedXML", "every <Object> needs a <Key>");
    return key;
  });
  if (keys.length > 1000) throw new S3Error("MalformedXML", "at most 1000 keys per DeleteObjects request");
  return { keys, quiet: String(top.Quiet ?? "false").trim().toLowerCase() === "true" };
}

/** One part listed in CompleteMultipartUpload. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** The parts of a CompleteMultipartUpload request, in the order given. */
export function parseCompleteRequest(body: Buffer): CompletedPart[] {
  const top = parseRoot(body, "CompleteMultipartUpload");
  const parts = (top.Part ?? []) as XmlValue[];
  if (parts.length === 0) throw new S3Error("MalformedXML", "CompleteMultipartUpload lists no <Part>");
  return parts.map((p) => {
    if (!isObject(p)) throw new S3Error("MalformedXML", "malformed <Part>");
    const partNumber = Number(p.PartNumber);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) throw new S3Error("InvalidArgument", "PartNumber must be 1..10000");
    if (typeof p.ETag !== "string") throw new S3Error("MalformedXML", "every <Part> needs an <ETag>");
    return { partNumber, etag: p.ETag.trim().replace(/^"|"$/g, "") };
  });
}
