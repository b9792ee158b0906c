// The in-page trainer's Web Worker: all of the training's arithmetic happens here, off the page's
// thread, so that the page stays responsive. Training streams events, so this worker has its own
// protocol rather than worker.js's one answer per request (worker.js's header says why). The page
// (trainer-playground.js) sends
//   { type: "start", id, url | text, seed }, { type: "pause" }, { type: "resume" }, { type: "reset" }
// and gets back "ready", "progress" (a few times a second: step, steps, loss, charsPerSecond and
// runningMs, the time spent training so far), "eval" (every SETTINGS.eval_every steps; with the
// guesses and a sample every SETTINGS.sample_every, as they take longer than several steps),
// "paused", "done" (with runningMs), and "problem" (bad input, in a sentence for the reader) or
// "error", each with the id of the run it is about.
import * as tf from "../vendor/tfjs/tfjs.js";
import { fetchExport } from "./dom.js";
import { startBackend } from "./trainer-backend.js";
import {
  AdamW, SETTINGS, cleanText, countWeights, evaluate, getBatch, initialWeights, lrAt, randomNumbers, sample,
  split, textProblem, topWords, trainStep, vocabulary,
} from "./trainer.js";

const PROMPT = "the cat sat on the ";
const SAMPLE_LENGTH = 60; // characters of each sample, as the page's (train.py)
const TEMPERATURE = 0.8; // as the page's samples (train.py)
const PROGRESS_EVERY = 250; // ms between progress messages

const backend = startBackend(tf, new URL("../vendor/tfjs/", import.meta.url).href);
let run = null; // the training run under way, paused or finished; null before the first and after a reset

self.onmessage = async ({ data }) => {
  try {
    if (data.type === "start") await begin(data);
    else if (data.type === "pause" && run) run.paused = true;
    else if (data.type === "resume" && run?.paused) {
      run.paused = false;
      if (!run.looping) loop(run); // (a pause and a resume may both arrive between two steps)
    } else if (data.type === "reset") run = null;
  } catch (error) {
    run = null;
    postMessage({ type: "error", id: data.id, message: error.message ?? String(error) });
  }
};

async function begin({ url, text, seed, id }) {
  run = null;
  if (text == null) text = await (await fetchExport(url)).text();
  text = cleanText(text);
  const problem = textProblem(text);
  if (problem) return postMessage({ type: "problem", id, message: problem });
  const chars = vocabulary(text);
  const [train, heldout] = split(text, chars);
  const T = SETTINGS.block_size;
  if (train.length < 20 * T || heldout.length < 2 * T) {
    return postMessage({
      type: "problem", id,
      message: "That text repeats itself too much: once the paragraphs that also appear in its validation " +
        "last tenth are left out, too little is left to train on. Paste more varied text.",
    });
  }
  await backend;
  // The prompt: the page's, if the model can read it; else the start of the reader's text.
  const prompt = [...PROMPT].every((ch) => chars.includes(ch)) ? PROMPT : [...text].slice(0, PROMPT.length).join("");
  const config = { ...SETTINGS, vocab_size: chars.length };
  const mine = {
    id, config, chars, train, heldout, seed, prompt,
    weights: initialWeights(config, seed), // random dials, the same ones for the same seed
    optimizer: new AdamW(config, config.weight_decay),
    batches: randomNumbers(seed + 1), // which windows, in which order
    step: 0, paused: false, trainedChars: 0, runningMs: 0, smoothed: null,
  };
  run = mine;
  postMessage({
    type: "ready", id, backend: tf.getBackend(), weights: countWeights(config), vocab: chars.length,
    trainChars: train.length, heldoutChars: heldout.length, prompt, settings: SETTINGS,
  });
  report(mine, true);
  loop(mine);
}

// Train until paused, reset or done; between steps, let the page's messages in.
async function loop(mine) {
  mine.looping = true;
  try {
    await train(mine);
  } catch (error) {
    if (mine === run) run = null;
    postMessage({ type: "error", id: mine.id, message: error.message ?? String(error) });
    return;
  } finally {
    mine.looping = false;
  }
  if (mine !== run) return;
  progress(mine);
  postMessage({ type: mine.paused ? "paused" : "done", id: mine.id, step: mine.step, runningMs: mine.runningMs });
}

async function train(mine) {
  let said = performance.now();
  while (mine === run && !mine.paused && mine.step < mine.config.steps) {
    const started = performance.now();
    const { config } = mine;
    const batch = getBatch(mine.train, config.block_size, config.batch_size, mine.batches);
    const loss = trainStep(tf, config, mine.weights, mine.optimizer, batch, lrAt(mine.step, config));
    mine.step += 1;
    mine.smoothed = mine.smoothed === null ? loss : 0.9 * mine.smoothed + 0.1 * loss;
    mine.trainedChars += config.batch_size * config.block_size;
    const last = mine.step === config.steps;
    if (mine.step % config.eval_every === 0 || last) report(mine, mine.step % config.sample_every === 0 || last);
    mine.runningMs += performance.now() - started; // evaluating and sampling count as time spent
    if (performance.now() - said > PROGRESS_EVERY) {
      said = performance.now();
      progress(mine);
    }
    await breathe();
  }
}

function progress(mine) {
  postMessage({
    type: "progress", id: mine.id, step: mine.step, steps: mine.config.steps, loss: mine.smoothed / Math.LN2,
    charsPerSecond: mine.runningMs > 0 ? (1000 * mine.trainedChars) / mine.runningMs : null,
    runningMs: mine.runningMs,
  });
}

// Both texts scored the same way (training.evaluate on a slice of each), and what the model now says.
function report(mine, writing) {
  const { config, weights } = mine;
  const model = { config, chars: mine.chars, weights };
  postMessage({
    type: "eval", id: mine.id, step: mine.step,
    train: evaluate(tf, config, weights, mine.train, config.eval_tokens) / Math.LN2,
    heldout: evaluate(tf, config, weights, mine.heldout, config.eval_tokens) / Math.LN2,
    ...(writing && {
      prompt: mine.prompt,
      guesses: topWords(model, mine.prompt),
      sample: sample(model, mine.prompt, SAMPLE_LENGTH, TEMPERATURE, randomNumbers(mine.seed + 2)), // the same dice every time
    }),
  });
}

// A pause between steps in which messages from the page get through (quicker than setTimeout's 4 ms).
const channel = new MessageChannel();
function breathe() {
  return new Promise((resolve) => {
    channel.port1.onmessage = resolve;
    channel.port2.postMessage(null);
  });
}
