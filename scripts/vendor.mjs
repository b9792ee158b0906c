// `npm run vendor`: bundle what the in-page playgrounds need from npm into docs/assets/vendor/,
// as ES modules, each package's licence next to its bundle. The bundles are committed, so building
// the site needs no npm; rerun this after changing a version in package.json.
import { build } from "esbuild";
import { copyFileSync, readFileSync, rmSync } from "node:fs";
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

rmSync(vendor, { recursive: true, force: true });
for (const { pkg, file, source } of bundles) {
  const folder = join(vendor, pkg.replace(/^@[^/]+\//, ""));
  const { version, license } = JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8"));
  await build({
    banner: { js: `/*! ${pkg} ${version} (${license}; see LICENSE.txt), bundled by scripts/vendor.mjs */` },
    stdin: { contents: source, resolveDir: root, loader: "js" },
    bundle: true, format: "esm", minify: true, target: "es2020",
    legalComments: "eof", logLevel: "warning",
    outfile: join(folder, file),
  });
  copyFileSync(join(root, "node_modules", pkg, "LICENSE"), join(folder, "LICENSE.txt"));
}
