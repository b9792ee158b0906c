// The sampling playground's model, in a Web Worker: the weights are fetched and read here, and every
// next-character score is computed here, off the page's main thread. The page asks
// (sampling-playground.js):
//   load { url }          -> { chars, config }: the model's vocabulary and settings
//   logits { url, ids }   -> the scores of every character to come after ids (a Float32Array)
import { fetchExport } from "./dom.js";
import { loadModel, nextLogits } from "./gpt.js";
import { serve } from "./worker.js";

const models = {};

serve({
  async load({ url }) {
    const model = loadModel(await (await fetchExport(url)).arrayBuffer());
    models[url] = model;
    return { chars: model.chars, config: model.config };
  },
  logits({ url, ids }) {
    return nextLogits(models[url], ids);
  },
});
