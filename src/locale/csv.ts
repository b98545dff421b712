/**
 * Reading Tornado's translation CSV files: byte-order-mark detection and an RFC 4180 parser that
 * reports bad rows instead of throwing, so one broken line never costs the whole file.
 */

/** One parsed CSV record and the line it started on (1-based). */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** A record the parser had to drop, with the reason. */
export interface CsvProblem {
  line: number;
  message: string;
}

/**
 * Turn file bytes into text. A byte-order mark decides the encoding (UTF-8, UTF-16 LE or BE);
 * without one the text is `encoding` (default UTF-8). Invalid byte sequences throw a TypeError.
 *
 * @example
 * decodeCsvBytes(Buffer.from([0xff, 0xfe, 0x41, 0x00])); // "A"
 */
export function decodeCsvBytes(bytes: Uint8Array, encoding = "utf-8"): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return new TextDecoder("utf-16le", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(2));
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return new TextDecoder("utf-16be", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(2));
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(3));
  }
  return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
}

/**
 * Parse CSV text: comma-separated fields, `"`-quoted fields may hold commas, doubled quotes and line
 * breaks; CRLF, LF and CR all end a record. Blank lines are skipped. Spaces around a quoted field
 * are tolerated (`"a", "b"`). A record with text after its closing quote, or an unterminated quote,
 * is reported in `problems` and left out of `rows`.
 *
 * @example
 * parseCsv('"Hello","Hola"\n').rows; // [{ line: 1, fields: ["Hello", "Hola"] }]
 */
export function parseCsv(text: string): { rows: CsvRow[]; problems: CsvProblem[] } {
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];
  const length = text.length;
  let pos = 0;
  let line = 1;

  /** Skip a line break at `at` if there is one; returns the position after it. */
  const skipBreak = (at: number): number => {
    if (text[at] === "\r") {
      line++;
      return text[at + 1] === "\n" ? at + 2 : at + 1;
    }
    if (text[at] === "\n") {
      line++;
      return at + 1;
    }
    return at;
  };

  /** Drop the rest of the current physical line (after a bad record). */
  const skipLine = (at: number): number => {
    while (at < length && text[at] !== "\n" && text[at] !== "\r") at++;
    return skipBreak(at);
  };

  while (pos < length) {
    const rowLine = line;
    const fields: string[] = [];
    let problem: string | null = null;
    for (;;) {
      let p = pos;
      while (text[p] === " " || text[p] === "\t") p++;
      if (text[p] === '"') {
        let value = "";
        p++;
        for (;;) {
          const close = text.indexOf('"', p);
          if (close < 0) {
            problem = "unterminated quoted field";
            p = length;
            break;
          }
          const chunk = text.slice(p, close);
          line += countBreaks(chunk);
          value += chunk;
          if (text[close + 1] === '"') {
            value += '"';
            p = close + 2;
          } else {
            p = close + 1;
            break;
          }
        }
        if (problem !== null) {
          pos = length;
          break;
        }
        while (text[p] === " " || text[p] === "\t") p++;
        fields.push(value);
        if (text[p] === ",") {
          pos = p + 1;
          continue;
        }
        if (p >= length || text[p] === "\n" || text[p] === "\r") {
          pos = skipBreak(p);
          break;
        }
        problem = "unexpected text after a closing quote";
        pos = skipLine(p);
        break;
      }
      let end = pos;
      while (end < length && text[end] !== "," && text[end] !== "\n" && text[end] !== "\r") end++;
      fields.push(text.slice(pos, end));
      if (text[end] === ",") {
        pos = end + 1;
        continue;
      }
      pos = skipBreak(end);
      break;
    }
    if (problem !== null) problems.push({ line: rowLine, message: problem });
    else if (!(fields.length === 1 && fields[0].trim() === "")) rows.push({ line: rowLine, fields });
  }
  return { rows, problems };
}

function countBreaks(chunk: string): number {
  let count = 0;
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    if (c === 10) count++;
    else if (c === 13 && chunk.charCodeAt(i + 1) !== 10) count++;
  }
  return count;
}
