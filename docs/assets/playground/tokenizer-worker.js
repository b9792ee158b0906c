// The tokenizer playground's heavy part, in a Web Worker: the three vocabularies (our tokenizer's
// tokenizer.json, and OpenAI's cl100k_base and o200k_base, 1 and 2.8 MB of JavaScript) are fetched,
// parsed and used here, off the page's main thread. The page asks (tokenizer-playground.js):
//   load { name, url }  -> nothing, once that tokenizer is ready (url: our tokenizer.json)
//   tokenize { text }   -> { name: tokens } for every tokenizer ready so far (tokenize.js)
import { fetchExport } from "./dom.js";
import { openaiTokenizer, ourTokenizer, tokenize } from "./tokenize.js";
import { serve } from "./worker.js";

const LOADERS = {
  ours: async (url) => {
    const { Tokenizer } = await import("../vendor/tokenizers/tokenizers.js");
    return ourTokenizer(Tokenizer, await (await fetchExport(url)).json());
  },
  cl100k_base: async () => openaiTokenizer(await import("../vendor/gpt-tokenizer/cl100k_base.js")),
  o200k_base: async () => openaiTokenizer(await import("../vendor/gpt-tokenizer/o200k_base.js")),
};
const ready = {};

serve({
  async load({ name, url }) {
    ready[name] = await LOADERS[name](url);
  },
  tokenize({ text }) {
    return Object.fromEntries(Object.entries(ready).map(([name, tokenizer]) => [name, tokenize(tokenizer, text)]));
  },
});
