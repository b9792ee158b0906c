// The reference data tests/test_playgrounds.py wrote from Python: what the playgrounds must match.
// Run through pytest (`.venv/bin/pytest tests/test_playgrounds.py`), which makes it and sets the variable.
import { readFileSync } from "node:fs";

const path = process.env.LLMS101_PLAYGROUND_REFERENCE;

/** The reference, or null when these tests run without pytest (then the tests that need it skip). */
export const reference = path ? JSON.parse(readFileSync(path, "utf8")) : null;
export const skip = reference ? false : "no reference data: run these through `pytest tests/test_playgrounds.py`";

/** A file's bytes as the ArrayBuffer fetch() would give the page. */
export function arrayBuffer(file) {
  const bytes = readFileSync(file);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}
