// The in-page trainer's model and loop: the tiny GPT of snippets/gpt.py and the training loop of
// snippets/training.py (AdamW, warmup then cosine, gradients clipped at 1.0), in TensorFlow.js,
// whose automatic differentiation computes every gradient. No page in here: the worker
// (trainer-worker.js) runs it in the reader's browser, and Node's tests check it against PyTorch.
// Every function takes the TensorFlow.js module as `tf`, so that the same code runs on any backend.
import { draw, nextLogits, probabilities } from "./gpt.js";

// The browser's run: chosen by measurement (benchmarks/trainer_speed.py) to write words within a
// minute in one browser thread. Narrower and with smaller batches than the page's model, which trains
// on a laptop core with PyTorch; the same design and the same loop.
export const SETTINGS = {
  n_layer: 2, n_head: 4, n_embd: 64, block_size: 32, dropout: 0.0,
  steps: 2000, batch_size: 16, lr: 6e-3, min_lr: 6e-4, warmup: 50, weight_decay: 0.1,
  heldout_fraction: 0.1, eval_every: 25, eval_tokens: 1024, sample_every: 50,
};

// The text a reader may train on: enough for a held-out part, not so much that it fills the tab's memory.
export const MIN_CHARS = 1000;
export const MAX_CHARS = 2_000_000;
export const MAX_VOCAB = 200; // different characters: each one is a row of dials

/** What is wrong with this text for training, in a sentence for the reader, or null if nothing. */
export function textProblem(text) {
  if (text.length > MAX_CHARS) {
    return `That text is too long for a browser tab: ${text.length.toLocaleString("en")} characters; ` +
      `paste at most ${MAX_CHARS.toLocaleString("en")}.`;
  }
  const chars = [...text];
  if (chars.length < MIN_CHARS) {
    return `That text is too short to learn from: ${chars.length.toLocaleString("en")} characters; ` +
      `paste at least ${MIN_CHARS.toLocaleString("en")}.`;
  }
  const controls = [...new Set(chars.filter((ch) => /[\p{Cc}\p{Cs}\p{Co}\p{Cn}]/u.test(ch) && ch !== "\n" && ch !== "\t"))];
  if (controls.length) {
    const codes = controls.slice(0, 5).map((ch) => `U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
    return `The text has characters that are not text (${codes.join(", ")}): paste plain text.`;
  }
  const distinct = new Set(chars).size;
  if (distinct > MAX_VOCAB) {
    return `That text uses ${distinct.toLocaleString("en")} different characters; this little model ` +
      `tells at most ${MAX_VOCAB} apart. Text in one alphabet works best.`;
  }
  return null;
}

/** Line endings as \n (a pasted \r\n is one character, not two), so that every platform reads the same text. */
export function cleanText(text) {
  return text.replace(/\r\n?/g, "\n");
}

/** One token per character: the vocabulary is every character in the text, in code-point order. */
export function vocabulary(text) {
  return [...new Set(text)].sort((a, b) => a.codePointAt(0) - b.codePointAt(0));
}

/**
 * The text as ids, cut in two (as training.split_three with no test part): the last tenth held out, the
 * rest to train on, less every paragraph that also appears word for word in the held-out part (the
 * manual repeats itself: held-out text that was trained on would flatter the model) and less empty ones.
 */
export function split(text, chars, heldoutFraction = SETTINGS.heldout_fraction) {
  const index = new Map(chars.map((ch, i) => [ch, i]));
  const codePoints = [...text];
  const n = Math.floor(codePoints.length * (1 - heldoutFraction));
  const heldout = codePoints.slice(n).join("");
  const heldOut = new Set(["", ...heldout.split("\n\n")]);
  const train = codePoints.slice(0, n).join("").split("\n\n").filter((p) => !heldOut.has(p)).join("\n\n");
  const ids = (part) => Int32Array.from(part, (ch) => index.get(ch));
  return [ids(train), ids(heldout)];
}

/** Uniform random numbers in [0, 1), the same ones for the same seed (mulberry32). */
export function randomNumbers(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random windows of the text: x a window, y the same one a character later (as training.get_batch). */
export function getBatch(ids, blockSize, batchSize, random) {
  const x = new Int32Array(batchSize * blockSize);
  const y = new Int32Array(batchSize * blockSize);
  for (let b = 0; b < batchSize; b++) {
    const start = Math.floor(random() * (ids.length - blockSize));
    x.set(ids.subarray(start, start + blockSize), b * blockSize);
    y.set(ids.subarray(start + 1, start + 1 + blockSize), b * blockSize);
  }
  return { x, y, batchSize, blockSize };
}

/** The learning rate: a linear warmup, then a cosine decay from lr to min_lr (training.lr_at). */
export function lrAt(step, { lr, min_lr: minLr, warmup, steps }) {
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const progress = (step - warmup) / Math.max(1, steps - warmup);
  return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (lr - minLr);
}

/** Every weight's name (PyTorch's, from GPT.state_dict()) and shape; lm_head.weight is wte.weight. */
export function shapes({ vocab_size: V, block_size: T, n_layer: layers, n_embd: C }) {
  const all = { "wte.weight": [V, C], "wpe.weight": [T, C] };
  for (let l = 0; l < layers; l++) {
    const p = `blocks.${l}.`;
    Object.assign(all, {
      [p + "ln_1.weight"]: [C], [p + "ln_1.bias"]: [C],
      [p + "attn.c_attn.weight"]: [3 * C, C], [p + "attn.c_attn.bias"]: [3 * C],
      [p + "attn.c_proj.weight"]: [C, C], [p + "attn.c_proj.bias"]: [C],
      [p + "ln_2.weight"]: [C], [p + "ln_2.bias"]: [C],
      [p + "mlp.c_fc.weight"]: [4 * C, C], [p + "mlp.c_fc.bias"]: [4 * C],
      [p + "mlp.c_proj.weight"]: [C, 4 * C], [p + "mlp.c_proj.bias"]: [C],
    });
  }
  all["ln_f.weight"] = [C];
  all["ln_f.bias"] = [C];
  return all;
}

/**
 * New random weights, the same ones for the same seed: GPT-2's init as in GPT._init_weights, normal
 * with std 0.02 for every matrix, 0.02 / sqrt(2 n_layer) for the layers that feed the residual
 * stream, zero biases, layer norms that start as the identity.
 */
export function initialWeights(config, seed) {
  const random = randomNumbers(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()); // Box-Muller
  const weights = {};
  for (const [name, shape] of Object.entries(shapes(config))) {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.includes("ln_") && name.endsWith(".weight")) values.fill(1);
    else if (name.endsWith(".weight")) {
      const std = name.endsWith("c_proj.weight") ? 0.02 / Math.sqrt(2 * config.n_layer) : 0.02;
      for (let i = 0; i < values.length; i++) values[i] = std * normal();
    }
    weights[name] = values;
  }
  return weights;
}

/** The number of weights (the tied one counted once), as GPT.num_params(). */
export function countWeights(config) {
  return Object.values(shapes(config)).reduce((total, shape) => total + shape.reduce((a, b) => a * b, 1), 0);
}

// A row per id with a 1 at the id: tf.oneHot's float32 output is all zeros on the WASM backend (4.22).
function oneHotRows(ids, size) {
  const rows = new Float32Array(ids.length * size);
  ids.forEach((id, i) => { rows[i * size + id] = 1; });
  return rows;
}

/**
 * The tiny GPT's scores for every next character. p: the weights as tensors, under PyTorch's names;
 * x: B windows of T ids (B * T in all). Returns [B * T, vocab_size].
 */
export function forward(tf, config, p, x, B, T) {
  const { vocab_size: V, n_embd: C, n_head: H, n_layer: layers } = config;
  const D = C / H;
  const N = B * T;
  // y = x W^T + b, with W in PyTorch's (out, in) layout
  const linear = (x, name) => tf.matMul(x, p[name + ".weight"], false, true).add(p[name + ".bias"]);
  const layerNorm = (x, name) => {
    const centred = x.sub(x.mean(-1, true));
    const variance = centred.square().mean(-1, true);
    return centred.mul(tf.rsqrt(variance.add(1e-5))).mul(p[name + ".weight"]).add(p[name + ".bias"]);
  };
  // A token's vector is its row of wte: picked out by one-hot rows times the matrix, whose gradient is a
  // matrix product too (gather's would need a kernel the WASM backend lacks).
  let h = tf.matMul(tf.tensor(oneHotRows(x, V), [N, V]), p["wte.weight"]).reshape([B, T, C]);
  h = h.add(T === config.block_size ? p["wpe.weight"] : p["wpe.weight"].slice([0, 0], [T, C])).reshape([N, C]);
  // no position may look at a later one: -1e9 above the diagonal (nothing, after softmax)
  const mask = tf.tensor(Float32Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [T, T]);
  const heads = (t) => t.reshape([B, T, H, D]).transpose([0, 2, 1, 3]).reshape([B * H, T, D]);
  for (let l = 0; l < layers; l++) {
    const b = `blocks.${l}.`;
    // attention: softmax(q k^T / sqrt(head size)) v in every head, looking back only
    const [q, k, v] = tf.split(linear(layerNorm(h, b + "ln_1"), b + "attn.c_attn"), 3, 1).map(heads);
    const weights = tf.softmax(tf.matMul(q, k, false, true).mul(1 / Math.sqrt(D)).add(mask));
    const y = tf.matMul(weights, v).reshape([B, H, T, D]).transpose([0, 2, 1, 3]).reshape([N, C]);
    h = h.add(linear(y, b + "attn.c_proj"));
    // the MLP: widen to 4x, bend with GELU (the exact one, as nn.GELU()), narrow back
    const wide = linear(layerNorm(h, b + "ln_2"), b + "mlp.c_fc");
    h = h.add(linear(wide.mul(0.5).mul(tf.erf(wide.mul(Math.SQRT1_2)).add(1)), b + "mlp.c_proj"));
  }
  // the output layer is the token embedding (tied)
  return tf.matMul(layerNorm(h, "ln_f"), p["wte.weight"], false, true);
}

// minus the log-probability of each target, as F.cross_entropy(reduction="none"): [B * T]
function crossEntropy(tf, logits, targets) {
  return tf.logSoftmax(logits).mul(tf.tensor(oneHotRows(targets, logits.shape[1]), logits.shape)).sum(1).neg();
}

function tensors(tf, config, weights) {
  return Object.fromEntries(Object.entries(shapes(config)).map(([name, shape]) => [name, tf.tensor(weights[name], shape)]));
}

/**
 * PREDICT and CHECK: the average cross-entropy of a batch (nats per character), and, by TensorFlow.js's
 * automatic differentiation, its gradient for every weight. weights: plain arrays under PyTorch's names.
 */
export function lossAndGradients(tf, config, weights, batch) {
  const names = Object.keys(shapes(config));
  const result = { loss: null, gradients: {} };
  // (tidy returns nothing: it would walk every number of a returned array, looking for tensors)
  tf.tidy(() => {
    const p = tensors(tf, config, weights);
    const loss = (...values) => {
      const q = Object.fromEntries(names.map((name, i) => [name, values[i]]));
      return crossEntropy(tf, forward(tf, config, q, batch.x, batch.batchSize, batch.blockSize), batch.y).mean();
    };
    const { value, grads } = tf.valueAndGrads(loss)(names.map((name) => p[name]));
    result.loss = value.dataSync()[0];
    names.forEach((name, i) => { result.gradients[name] = grads[i].dataSync().slice(); });
  });
  return result;
}

/**
 * NUDGE: AdamW as training.make_optimizer sets it up (betas 0.9 and 0.95, eps 1e-8, weight decay for
 * matrices only), after scaling the gradients down to an overall length of at most 1.0 as
 * torch.nn.utils.clip_grad_norm_ does. The arithmetic is PyTorch's, element by element, on plain arrays.
 */
export class AdamW {
  constructor(config, weightDecay, betas = [0.9, 0.95], eps = 1e-8) {
    Object.assign(this, { weightDecay, betas, eps, steps: 0 });
    this.shapes = shapes(config);
    this.m = {};
    this.v = {};
    for (const [name, shape] of Object.entries(this.shapes)) {
      this.m[name] = new Float32Array(shape.reduce((a, b) => a * b, 1));
      this.v[name] = new Float32Array(this.m[name].length);
    }
  }

  step(weights, gradients, lr) {
    const [beta1, beta2] = this.betas;
    let squares = 0;
    for (const g of Object.values(gradients)) for (let i = 0; i < g.length; i++) squares += g[i] * g[i];
    const clip = Math.min(1, 1.0 / (Math.sqrt(squares) + 1e-6)); // no shoving too hard
    this.steps += 1;
    const stepSize = lr / (1 - beta1 ** this.steps);
    const correction2 = Math.sqrt(1 - beta2 ** this.steps);
    for (const [name, shape] of Object.entries(this.shapes)) {
      const [w, g, m, v] = [weights[name], gradients[name], this.m[name], this.v[name]];
      const decay = 1 - lr * (shape.length >= 2 ? this.weightDecay : 0);
      for (let i = 0; i < w.length; i++) {
        const grad = g[i] * clip;
        m[i] = beta1 * m[i] + (1 - beta1) * grad;
        v[i] = beta2 * v[i] + (1 - beta2) * grad * grad;
        w[i] = w[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / correction2 + this.eps);
      }
    }
  }
}

/** One step of the loop: predict, check, nudge, in place. Returns the batch's loss before the nudge. */
export function trainStep(tf, config, weights, optimizer, batch, lr) {
  const { loss, gradients } = lossAndGradients(tf, config, weights, batch);
  optimizer.step(weights, gradients, lr);
  return loss;
}

/**
 * The windows training.evaluate scores, as [start, first] pairs: block_size windows that overlap by half,
 * each scoring its tokens from `first` on (its second half), so that every token is scored once with
 * more than half a window of text before it; one more window at the end for the last few. With
 * maxTokens, only about that many tokens, in windows spread evenly over the text.
 */
export function evalWindows(length, size, maxTokens = null) {
  const half = Math.floor(size / 2);
  let windows = [];
  for (let s = 0; s < length - size; s += half) windows.push([s, size - half]);
  const end = windows.at(-1)[0] + size + 1; // the first token not scored yet
  if (end < length) windows.push([length - size - 1, end - (length - size - 1) - 1]);
  if (maxTokens !== null) {
    const stride = Math.max(1, Math.floor((windows.length * half) / maxTokens));
    windows = windows.filter((_, i) => i % stride === 0);
  }
  return windows;
}

/** Average cross-entropy (nats per character) on a text, with no nudging: training.evaluate. */
export function evaluate(tf, config, weights, ids, maxTokens = null) {
  const T = config.block_size;
  const windows = evalWindows(ids.length, T, maxTokens);
  let total = 0;
  let count = 0;
  for (let i = 0; i < windows.length; i += 64) {
    const chunk = windows.slice(i, i + 64);
    const x = new Int32Array(chunk.length * T);
    const y = new Int32Array(chunk.length * T);
    const scored = new Float32Array(chunk.length * T);
    chunk.forEach(([s, first], w) => {
      x.set(ids.subarray(s, s + T), w * T);
      y.set(ids.subarray(s + 1, s + 1 + T), w * T);
      scored.fill(1, w * T + first, (w + 1) * T); // before `first`: context only
    });
    tf.tidy(() => {
      const logits = forward(tf, config, tensors(tf, config, weights), x, chunk.length, T);
      total += crossEntropy(tf, logits, y).mul(tf.tensor(scored)).sum().dataSync()[0];
    });
    count += scored.reduce((a, b) => a + b, 0);
  }
  return total / count;
}

// What the trained model says, computed with gpt.js on a copy of the weights: plain JavaScript, checked
// against PyTorch by tests/js/gpt.test.mjs. model: { config, chars, weights } as gpt.js's loadModel gives.

/**
 * The model's k likeliest next words after prompt, with their probabilities, as sampling.top_words: a word
 * starts with one of the k likeliest letters and goes on with the likeliest character each time, until
 * something that is not a letter comes out (or maxLength letters).
 */
export function topWords(model, prompt, k = 5, maxLength = 12) {
  const ids = [...prompt].map((ch) => model.chars.indexOf(ch));
  const isLetter = (id) => /^\p{L}$/u.test(model.chars[id]);
  const first = probabilities(nextLogits(model, ids)).map((p, id) => ({ id, p: isLetter(id) ? p : 0 }))
    .sort((a, b) => b.p - a.p).slice(0, k);
  const words = first.map(({ id, p }) => {
    const word = [id];
    let prob = p;
    while (word.length < maxLength) {
      const probs = probabilities(nextLogits(model, [...ids, ...word]));
      let next = 0;
      for (let i = 1; i < probs.length; i++) if (probs[i] > probs[next]) next = i;
      if (!isLetter(next)) break;
      word.push(next);
      prob *= probs[next];
    }
    return { word: word.map((i) => model.chars[i]).join(""), p: prob };
  });
  return words.sort((a, b) => b.p - a.p);
}

/** A continuation of prompt, drawn at this temperature with these dice (random() uniform in [0, 1)). */
export function sample(model, prompt, length, temperature, random) {
  const ids = [...prompt].map((ch) => model.chars.indexOf(ch));
  const start = ids.length;
  while (ids.length < start + length) ids.push(draw(probabilities(nextLogits(model, ids), temperature), random));
  return ids.slice(start).map((id) => model.chars[id]).join("");
}
