// The sampling playground's model gives PyTorch's logits, and picks characters the way
// snippets/sampling.py does.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { argmax, draw, encode, loadModel, nextLogits, probabilities, problem } from "../../docs/assets/playground/gpt.js";
import { arrayBuffer, reference, skip } from "./reference.mjs";

const maxDifference = (a, b) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe("against PyTorch", { skip }, () => {
  for (const { file, block_size: blockSize, chars, cases } of reference?.models ?? []) {
    const model = loadModel(arrayBuffer(file));

    test(`${file}: the file's settings and vocabulary`, () => {
      assert.equal(model.config.block_size, blockSize);
      assert.deepEqual(model.chars, chars);
    });

    for (const { prompt, ids, logits, temperature, top_k: topK, probs, greedy } of cases) {
      const name = `${file}, a prompt of ${[...prompt].length} characters`;
      const mine = nextLogits(model, encode(model, prompt));

      test(`${name}: ids and logits`, () => {
        assert.deepEqual(encode(model, prompt), ids);
        assert.equal(mine.length, logits.length);
        assert.ok(maxDifference(mine, logits) < 1e-4, `logits differ by ${maxDifference(mine, logits)}`);
      });

      test(`${name}: temperature ${temperature}, top-k ${topK}`, () => {
        const p = probabilities(mine, temperature, topK);
        assert.ok(maxDifference(p, probs) < 1e-5, `probabilities differ by ${maxDifference(p, probs)}`);
        assert.equal(p.filter((v) => v > 0).length, probs.filter((v) => v > 0).length);
      });

      test(`${name}: greedy continues it as sampling.generate does`, () => {
        const out = encode(model, prompt);
        while (out.length < [...greedy].length) out.push(argmax(nextLogits(model, out)));
        assert.equal(out.map((id) => model.chars[id]).join(""), greedy);
      });
    }
  }
});

test("the dice follow the probabilities", () => {
  const probs = [0.1, 0.0, 0.6, 0.3];
  assert.equal(draw(probs, () => 0.05), 0);
  assert.equal(draw(probs, () => 0.1), 2);
  assert.equal(draw(probs, () => 0.69), 2);
  assert.equal(draw(probs, () => 0.7), 3);
  assert.equal(draw([0.5, 0.5 - 1e-12, 0], () => 0.9999999999999), 1); // rounding never picks an impossible one
});

test("argmax takes the first of equal scores, as torch.argmax does", () => {
  assert.equal(argmax([1, 3, 3, 2]), 1);
});

test("bad settings get a sentence, good ones none", () => {
  const good = { prompt: "the cat", temperature: 0.8, topK: null, greedy: false, length: 10 };
  assert.equal(problem(good), null);
  assert.equal(problem({ ...good, temperature: 0, greedy: true }), null);
  assert.match(problem({ ...good, prompt: "" }), /prompt is empty/);
  assert.match(problem({ ...good, temperature: 0 }), /above 0, not 0.*greedy/);
  assert.match(problem({ ...good, temperature: -1 }), /not -1/);
  assert.match(problem({ ...good, temperature: NaN }), /a number above 0/);
  assert.match(problem({ ...good, topK: 0 }), /Top-k/);
  assert.match(problem({ ...good, topK: 2.5 }), /Top-k/);
  assert.match(problem({ ...good, length: 0 }), /at least 1/);
});

test("a character the model has never seen is named", () => {
  const model = { chars: ["a", "b", " "] };
  assert.deepEqual(encode(model, "ab a"), [0, 1, 2, 0]);
  assert.throws(() => encode(model, "abc"), /never seen this character.*"c"/);
  assert.throws(() => encode(model, "é🍓a"), /these characters.*"é" "🍓"/);
});

test("a model file without a tensor the model needs is refused, naming it", () => {
  const header = JSON.stringify({
    "wte.weight": { dtype: "F32", shape: [1, 1], data_offsets: [0, 4] },
    __metadata__: { config: JSON.stringify({ n_layer: 1 }), chars: "[\"a\"]" },
  });
  const bytes = new Uint8Array(8 + header.length + 4);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(new TextEncoder().encode(header), 8);
  assert.throws(() => loadModel(bytes.buffer), /has no wpe\.weight, ln_f\.weight, .*blocks\.0\.mlp\.c_proj\.bias$/);
});
