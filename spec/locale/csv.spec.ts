import { expect } from "chai";
import { decodeCsvBytes, parseCsv } from "../../src/locale/csv";

describe("decodeCsvBytes", () => {
  describe("when the bytes start with a UTF-8 byte-order mark", () => {
    it("drops the mark and decodes UTF-8", () => {
      expect(decodeCsvBytes(Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9]))).to.equal("hé");
    });
  });

  describe("when the bytes start with a UTF-16 little-endian mark", () => {
    it("decodes UTF-16 LE", () => {
      expect(decodeCsvBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("héллo", "utf16le")]))).to.equal("héллo");
    });
  });

  describe("when the bytes start with a UTF-16 big-endian mark", () => {
    it("decodes UTF-16 BE", () => {
      const le = Buffer.from("héллo", "utf16le");
      expect(decodeCsvBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]))).to.equal("héллo");
    });
  });

  describe("when there is no mark", () => {
    it("decodes UTF-8 by default", () => {
      expect(decodeCsvBytes(Buffer.from("Iniciar sesión"))).to.equal("Iniciar sesión");
    });

    it("decodes the given encoding", () => {
      expect(decodeCsvBytes(Buffer.from([0x63, 0x61, 0x66, 0xe9]), "latin1")).to.equal("café");
    });
  });

  describe("when the bytes are not valid UTF-8", () => {
    it("throws a TypeError", () => {
      expect(() => decodeCsvBytes(Buffer.from([0x61, 0xff, 0x62]))).to.throw(TypeError);
    });
  });
});

describe("parseCsv", () => {
  describe("when fields are quoted", () => {
    it("keeps commas, doubled quotes and line breaks inside them", () => {
      const { rows, problems } = parseCsv('"a, b","say ""hi""","one\ntwo"\n');
      expect(problems).to.deep.equal([]);
      expect(rows).to.deep.equal([{ line: 1, fields: ["a, b", 'say "hi"', "one\ntwo"] }]);
    });

    it("tolerates spaces around the quotes", () => {
      expect(parseCsv(' "a" , "b" \n').rows[0].fields).to.deep.equal(["a", "b"]);
    });
  });

  describe("when fields are unquoted", () => {
    it("splits on commas and keeps the text as written", () => {
      expect(parseCsv("a,b c,\n").rows[0].fields).to.deep.equal(["a", "b c", ""]);
    });
  });

  describe("when records end with CRLF, LF or CR", () => {
    it("treats each as one line break and numbers lines from 1", () => {
      const { rows } = parseCsv("a,1\r\nb,2\nc,3\rd,4");
      expect(rows.map((row) => [row.line, row.fields[0]])).to.deep.equal([[1, "a"], [2, "b"], [3, "c"], [4, "d"]]);
    });
  });

  describe("when a quoted field spans lines", () => {
    it("numbers the following records after the embedded breaks", () => {
      const { rows } = parseCsv('"x\r\ny\nz",1\nnext,2\n');
      expect(rows[1]).to.deep.equal({ line: 4, fields: ["next", "2"] });
    });
  });

  describe("when there are blank lines", () => {
    it("skips them", () => {
      expect(parseCsv("\n\na,b\n   \n").rows).to.deep.equal([{ line: 3, fields: ["a", "b"] }]);
    });
  });

  describe("when text follows a closing quote", () => {
    it("reports the record and keeps parsing the next one", () => {
      const { rows, problems } = parseCsv('"a"x,"b"\n"c","d"\n');
      expect(problems).to.deep.equal([{ line: 1, message: "unexpected text after a closing quote" }]);
      expect(rows).to.deep.equal([{ line: 2, fields: ["c", "d"] }]);
    });
  });

  describe("when a quote is never closed", () => {
    it("reports the record where it started", () => {
      const { rows, problems } = parseCsv('"a","b"\n"c","d\ne,f\n');
      expect(rows).to.deep.equal([{ line: 1, fields: ["a", "b"] }]);
      expect(problems).to.deep.equal([{ line: 2, message: "unterminated quoted field" }]);
    });
  });
});
