// pg-cursor ships no types and @types/pg-cursor lags pg; this is the part the backend uses.
declare module "pg-cursor" {
  import type { Submittable } from "pg";
  export default class Cursor implements Submittable {
    constructor(text: string, values?: unknown[], config?: object);
    submit: Submittable["submit"];
    read(rows: number): Promise<unknown[]>;
    close(): Promise<void>;
  }
}
