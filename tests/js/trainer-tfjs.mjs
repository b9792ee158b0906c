// TensorFlow.js as the trainer's worker runs it (the vendored bundle on its WebAssembly backend, with
// trainer-backend.js), made to run in Node. The bundle is built for browsers, so it gets three things
// from Node that a browser never asks for: `require` (tfjs-core reads Node's "util" under Node), the
// `__dirname` that the backend's Emscripten loader reads under Node, and a fetch() that reads file: URLs
// (the backend fetches its .wasm).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

import { startBackend } from "../../docs/assets/playground/trainer-backend.js";

const folder = new URL("../../docs/assets/vendor/tfjs/", import.meta.url);
globalThis.require ??= createRequire(import.meta.url);
globalThis.__dirname ??= fileURLToPath(folder);
const webFetch = globalThis.fetch;
globalThis.fetch = async (url, options) => (String(url).startsWith("file:")
  ? new Response(readFileSync(fileURLToPath(url)), { headers: { "Content-Type": "application/wasm" } })
  : webFetch(url, options));

export const tf = await import("../../docs/assets/vendor/tfjs/tfjs.js");
export const backend = await startBackend(tf, folder.href);
