// The in-page trainer trains the way PyTorch does: the same loss and gradients from the same weights and
// batch, the same losses over 200 steps, the same evaluation and guesses. The case comes from
// tests/test_trainer.py (run these through `pytest tests/test_trainer.py`); without it, only the tests
// that need no PyTorch run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { draw, loadModel, nextLogits } from "../../docs/assets/playground/gpt.js";
import {
  AdamW, MAX_CHARS, MAX_VOCAB, MIN_CHARS, SETTINGS, cleanText, countWeights, evalWindows, evaluate, getBatch,
  initialWeights, lossAndGradients, lrAt, randomNumbers, sample, shapes, split, textProblem, topWords, trainStep,
  vocabulary,
} from "../../docs/assets/playground/trainer.js";
import { arrayBuffer } from "./reference.mjs";
import { backend, tf } from "./trainer-tfjs.mjs";

const path = process.env.LLMS101_TRAINER_CASE;
const trainerCase = path ? JSON.parse(readFileSync(path, "utf8")) : null;
const skip = trainerCase ? false : "no case from PyTorch: run these through `pytest tests/test_trainer.py`";

const largest = (values) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const largestDifference = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe("against PyTorch", { skip }, () => {
  const { settings, chars, batches } = trainerCase ?? {};
  const config = { ...settings, vocab_size: chars?.length };
  const batch = ({ x, y }) => ({ x: Int32Array.from(x), y: Int32Array.from(y), batchSize: settings.batch_size, blockSize: settings.block_size });
  const weightsOf = (file) => loadModel(arrayBuffer(file)).weights;

  test("the case is the widget's model", () => {
    for (const key of ["n_layer", "n_head", "n_embd", "block_size", "batch_size", "lr", "min_lr", "warmup", "weight_decay", "heldout_fraction"]) {
      assert.equal(settings[key], SETTINGS[key], key);
    }
    assert.equal(backend, "wasm");
  });

  test("the same split of the text into training and held-out ids", () => {
    const text = readFileSync(new URL("../../snippets/data/python-reference.txt", import.meta.url), "utf8");
    assert.deepEqual(vocabulary(text), chars);
    const [train, heldout] = split(text, chars);
    assert.deepEqual(Array.from(heldout), trainerCase.heldout_ids);
    assert.deepEqual(Array.from(train), trainerCase.train_ids);
  });

  test("the same learning rate at every step", () => {
    const schedule = { ...settings };
    trainerCase.lr.forEach((lr, step) => assert.ok(Math.abs(lrAt(step, schedule) - lr) < 1e-12, `step ${step}`));
  });

  test("the same loss and gradients from the same weights and batch", () => {
    const { loss, gradients } = lossAndGradients(tf, config, weightsOf(trainerCase.initial), batch(batches[0]));
    assert.ok(Math.abs(loss - trainerCase.loss) < 1e-4, `loss ${loss} vs PyTorch's ${trainerCase.loss}`);
    assert.deepEqual(Object.keys(gradients).sort(), Object.keys(trainerCase.gradients).sort());
    for (const [name, expected] of Object.entries(trainerCase.gradients)) {
      const scale = largest(expected);
      const off = largestDifference(gradients[name], expected);
      assert.ok(scale > 0, `${name}: PyTorch's gradient is all zeros, nothing to compare`);
      assert.ok(off <= 1e-4 * scale, `${name}: off by ${off.toExponential(2)}, ${(off / scale).toExponential(2)} of its largest value`);
    }
  });

  test("200 steps on the same batches: every loss within 2% of PyTorch's", () => {
    const weights = weightsOf(trainerCase.initial);
    const optimizer = new AdamW(config, settings.weight_decay);
    const losses = batches.map((b, step) => trainStep(tf, config, weights, optimizer, batch(b), lrAt(step, settings)));
    const worst = Math.max(...losses.map((loss, i) => Math.abs(loss - trainerCase.losses[i]) / trainerCase.losses[i]));
    assert.ok(worst <= 0.02, `worst step off by ${(100 * worst).toFixed(2)}%`);
    assert.ok(trainerCase.losses.at(-1) < trainerCase.losses[0] - 1, "PyTorch's loss fell by less than 1 nat: nothing was learned");
    console.log(`200 steps: losses within ${(100 * worst).toFixed(3)}% of PyTorch's; last ${losses.at(-1).toFixed(4)} vs ${trainerCase.losses.at(-1).toFixed(4)}`);
  });

  test("the same evaluation of training and held-out text", () => {
    const weights = weightsOf(trainerCase.trained);
    for (const [name, ids] of [["train", trainerCase.train_ids], ["heldout", trainerCase.heldout_ids]]) {
      const mine = evaluate(tf, config, weights, Int32Array.from(ids), trainerCase.eval_tokens);
      assert.ok(Math.abs(mine - trainerCase.evaluate[name]) < 1e-4, `${name}: ${mine} vs ${trainerCase.evaluate[name]}`);
    }
  });

  test("the same five likeliest words after the prompt", () => {
    const model = loadModel(arrayBuffer(trainerCase.trained));
    const mine = topWords(model, trainerCase.prompt);
    assert.deepEqual(mine.map(({ word }) => word), trainerCase.top_words.map(([word]) => word));
    mine.forEach(({ p }, i) => assert.ok(Math.abs(p - trainerCase.top_words[i][1]) < 1e-5));
  });
});

test("the widget's model: GPT-2's random start", () => {
  const config = { ...SETTINGS, vocab_size: 50 };
  const weights = initialWeights(config, 7);
  assert.deepEqual(Object.keys(weights), Object.keys(shapes(config)));
  const std = (values) => Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
  assert.ok(Math.abs(std(weights["wte.weight"]) - 0.02) < 0.002);
  assert.ok(Math.abs(std(weights["blocks.0.mlp.c_proj.weight"]) - 0.02 / Math.sqrt(4)) < 0.001);
  assert.ok(weights["blocks.1.attn.c_attn.bias"].every((v) => v === 0));
  assert.ok(weights["ln_f.weight"].every((v) => v === 1));
  assert.deepEqual(initialWeights(config, 7)["wpe.weight"], weights["wpe.weight"], "the same seed, the same weights");
  assert.notDeepEqual(initialWeights(config, 8)["wpe.weight"], weights["wpe.weight"]);
  // 12 n_embd² per block plus the biases, gains and both embeddings: what GPT.num_params() counts
  assert.equal(countWeights(config), 2 * (12 * 64 * 64 + 13 * 64) + 50 * 64 + 32 * 64 + 2 * 64);
});

test("batches are windows of the text and the next character", () => {
  const ids = Int32Array.from({ length: 100 }, (_, i) => i);
  const { x, y } = getBatch(ids, 8, 4, randomNumbers(1));
  for (let b = 0; b < 4; b++) {
    const start = x[b * 8];
    assert.ok(start >= 0 && start < 92);
    for (let t = 0; t < 8; t++) {
      assert.equal(x[b * 8 + t], start + t);
      assert.equal(y[b * 8 + t], start + t + 1);
    }
  }
});

test("evaluation windows score every token once", () => {
  for (const length of [40, 100, 1000]) {
    const scored = new Array(length).fill(0);
    for (const [start, first] of evalWindows(length, 32)) for (let j = first; j < 32; j++) scored[start + 1 + j]++;
    const from = 32 - 16 + 1; // the first tokens are context only
    assert.ok(scored.slice(from).every((n) => n === 1), `length ${length}`);
  }
});

test("AdamW with no gradient only shrinks the matrices (weight decay)", () => {
  const config = { ...SETTINGS, vocab_size: 5, n_layer: 1, n_embd: 8, n_head: 2, block_size: 4 };
  const weights = initialWeights(config, 1);
  const before = weights["wte.weight"].slice();
  const zeros = Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, new Float32Array(w.length)]));
  new AdamW(config, 0.1).step(weights, zeros, 0.01);
  weights["wte.weight"].forEach((w, i) => assert.ok(Math.abs(w - before[i] * (1 - 0.01 * 0.1)) < 1e-8));
  assert.ok(weights["ln_f.weight"].every((v) => v === 1), "gains get no weight decay");
});

test("bad text gets one clear sentence, good text none", () => {
  const good = "the cat sat on the mat. ".repeat(50);
  assert.equal(textProblem(good), null);
  assert.match(textProblem(""), /too short.*0 characters.*at least 1,000/);
  assert.match(textProblem("abc".repeat(100)), /too short.*300 characters/);
  assert.match(textProblem("a".repeat(MAX_CHARS + 1)), /too long.*at most 2,000,000/);
  assert.match(textProblem(good + "\u0000"), /not text \(U\+0000\)/);
  const manyScripts = Array.from({ length: MAX_VOCAB + 1 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join("").repeat(10);
  assert.match(textProblem(manyScripts), /201 different characters.*at most 200/);
  assert.ok(MIN_CHARS >= 20 * SETTINGS.block_size, "enough text for a held-out part");
  assert.equal(cleanText("a\r\nb\rc"), "a\nb\nc");
});

test("the sample follows its dice: the same seed, the same text", () => {
  const config = { ...SETTINGS, vocab_size: 3, n_layer: 1, n_embd: 8, n_head: 2, block_size: 4 };
  const model = { config, chars: ["a", "b", " "], weights: initialWeights(config, 3) };
  const one = sample(model, "ab", 20, 1, randomNumbers(5));
  assert.equal(one.length, 20);
  assert.equal(sample(model, "ab", 20, 1, randomNumbers(5)), one);
  assert.deepEqual(topWords(model, "a b", 2).map(({ word }) => word[0]).sort(), ["a", "b"], "a word starts with a letter");
});

test("the sample is drawn from softmax(logits / temperature), at temperatures other than 1", () => {
  const config = { ...SETTINGS, vocab_size: 4, n_layer: 1, n_embd: 8, n_head: 2, block_size: 8 };
  const weights = initialWeights(config, 3);
  // larger embeddings (tied to the output layer): logits a few units apart, so temperature matters
  weights["wte.weight"] = weights["wte.weight"].map((w) => 10 * w);
  const model = { config, chars: ["a", "b", "c", " "], weights };
  const softmax = (logits, temperature) => {
    const exps = Array.from(logits, (v) => Math.exp(v / temperature));
    const total = exps.reduce((s, v) => s + v, 0);
    return exps.map((v) => v / total);
  };
  for (const temperature of [0.5, 2]) {
    const dice = [];
    const rolls = randomNumbers(7);
    const text = sample(model, "ab", 60, temperature, () => { dice.push(rolls()); return dice.at(-1); });
    assert.equal(dice.length, 60, "one roll of the dice per character");
    const ids = [0, 1];
    let differs = 0; // steps where the same roll at temperature 1 gives another character
    [...text].forEach((ch, i) => {
      const logits = nextLogits(model, ids);
      const expected = draw(softmax(logits, temperature), () => dice[i]);
      assert.equal(ch, model.chars[expected], `character ${i} at temperature ${temperature}`);
      if (draw(softmax(logits, 1), () => dice[i]) !== expected) differs++;
      ids.push(expected);
    });
    assert.ok(differs > 0, `at temperature ${temperature} some roll must pick another character than at 1`);
  }
});
