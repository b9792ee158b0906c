// `npm run vendor`: bundle what the in-page playgrounds need from npm into docs/assets/vendor/,
// as ES modules, each package's licence next to its bundle. The bundles are committed, so building
// the site needs no npm; rerun this after changing a version in package.json.
import { build } from "esbuild";
import { chmodSync, copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "docs/assets/vendor");

// One bundle per vocabulary, so that a page loads only the ones it uses. Each exports the encoder and
// the vocabulary itself (id -> the token's text, or its bytes where they are not valid UTF-8 alone):
// gpt-tokenizer's decode() cannot show a token that is part of a character, the vocabulary can.
const openai = (name) => `
  export { encode } from "gpt-tokenizer/encoding/${name}";
  export { default as vocabulary } from "gpt-tokenizer/bpeRanks/${name}";`;

const bundles = [
  { pkg: "gpt-tokenizer", file: "cl100k_base.js", source: openai("cl100k_base") },
  { pkg: "gpt-tokenizer", file: "o200k_base.js", source: openai("o200k_base") },
  { pkg: "@huggingface/tokenizers", file: "tokenizers.js", source: `export { Tokenizer } from "@huggingface/tokenizers";` },
];

// The in-page trainer: TensorFlow.js's core (its ops, their gradients, the chained tensor methods) and
// its WebAssembly backend, run in the trainer's worker. "util" stays outside the bundle: tfjs-core asks
// for it only under Node, where the tests hand it over (tests/js/trainer-tfjs.mjs); a browser never does.
const tfjs = `
  export * from "@tensorflow/tfjs-core";
  import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
  import "@tensorflow/tfjs-core/dist/register_all_gradients";
  export { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";`;
bundles.push({ pkg: "@tensorflow/tfjs-core", folder: "tfjs", file: "tfjs.js", source: tfjs, external: ["util"] });

rmSync(vendor, { recursive: true, force: true });
for (const { pkg, file, source, folder: name, external = [] } of bundles) {
  const folder = join(vendor, name ?? pkg.replace(/^@[^/]+\//, ""));
  const { version, license } = JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8"));
  await build({
    banner: { js: `/*! ${pkg} ${version} (${license}; see LICENSE.txt), bundled by scripts/vendor.mjs */` },
    stdin: { contents: source, resolveDir: root, loader: "js" },
    bundle: true, format: "esm", minify: true, target: "es2020",
    legalComments: "eof", logLevel: "warning", external,
    outfile: join(folder, file),
  });
  if (name !== "tfjs") copyFileSync(join(root, "node_modules", pkg, "LICENSE"), join(folder, "LICENSE.txt"));
}

// The WebAssembly the backend runs: with SIMD (every current browser), and without, for older ones. (The
// threaded build needs cross-origin isolation, which GitHub Pages cannot give: not shipped.)
const wasm = join(root, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
for (const file of ["tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm.wasm"]) {
  copyFileSync(join(wasm, file), join(vendor, "tfjs", file));
  chmodSync(join(vendor, "tfjs", file), 0o644); // npm ships them executable
}
// TensorFlow.js's npm packages ship no licence file: its licence is Apache 2.0 (package.json), whose
// text ships with long.js, also Apache 2.0 and bundled in. seedrandom (MIT) carries its licence in its
// source.
const versions = ["tfjs-core", "tfjs-backend-wasm"].map((name) =>
  `@tensorflow/${name} ${JSON.parse(readFileSync(join(root, "node_modules/@tensorflow", name, "package.json"), "utf8")).version}`);
const seedrandom = readFileSync(join(root, "node_modules/seedrandom/seedrandom.js"), "utf8").match(/\/\*[\s\S]*?\*\//)[0];
writeFileSync(join(vendor, "tfjs", "LICENSE.txt"), `tfjs.js bundles ${versions.join(" and ")} (TensorFlow.js,
Copyright Google LLC, Apache License 2.0), with long.js (Apache License 2.0) and seedrandom (MIT
License, below). The .wasm files are TensorFlow.js's WebAssembly backend as published on npm; they
contain XNNPACK and its helper libraries, compiled in (their licences are at the end).

${readFileSync(join(root, "node_modules/long/LICENSE"), "utf8")}

seedrandom:
${seedrandom}


${readFileSync(join(root, "scripts/wasm-notices.txt"), "utf8")}`);
