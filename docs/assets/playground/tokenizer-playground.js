// The tokenizer playground: what you type, cut into tokens by our tokenizer and two of OpenAI's,
// one row of coloured pieces per tokenizer, and a letter counter that shows what the model gets
// instead of letters. The cutting itself is in tokenize.js, run by a Web Worker
// (tokenizer-worker.js) that loads the vocabularies once a reader starts using the box. Until then
// the rows show the tokens of the default sentence as tokens.py recorded them (the build puts them
// in the widget's data-recorded attribute: hooks/reader.py), so a reader scrolling past sees them.
import { countLetter, visible, wordAt } from "./tokenize.js";
import { address, announcer, element } from "./dom.js";
import { connect } from "./worker.js";

const TEXT = "How many r's are in strawberry?";
const SHOWN_IDS = 12; // the letter counter lists at most this many ids per tokenizer
const QUIET = 800; // ms without typing before a screen reader hears the counts

// Rows are named by the models a reader knows; the tokenizer's own name follows, small and quiet,
// with the other models that use it in its title (review 15: a reader needn't know cl100k_base).
// OpenAI's tiktoken maps each model to its tokenizer (tiktoken/model.py: gpt-4 and gpt-3.5-turbo
// to cl100k_base; gpt-4o, gpt-4.1, gpt-5, o1, o3 to o200k_base).
const TOKENIZERS = [
  { name: "ours", label: "Ours", about: "learned from Python's manual" },
  { name: "cl100k_base", label: "GPT-4", code: "cl100k_base", more: "GPT-3.5" },
  { name: "o200k_base", label: "GPT-4o", code: "o200k_base", more: "GPT-4.1, GPT-5, o1 and o3" },
];
const said = (spec) => `${spec.label} (${spec.name})`; // a row's name, for a screen reader

// A row's heading: the model's name, what ours learned from, the token count, then OpenAI's name
// for the tokenizer in small print.
function head(spec, count) {
  const parts = [element("strong", {}, spec.label), " "];
  if (spec.about) parts.push(`(${spec.about}) `);
  parts.push(count);
  if (spec.code) {
    const title = `OpenAI's name for ${spec.label}'s tokeniser, also used by ${spec.more}`;
    parts.push(" ", element("span", { class: "tp-code", title }, `· ${spec.code}`));
  }
  return element("div", { class: "tp-head" }, ...parts);
}

// The worker and its vocabularies, once a reader has used a playground in this tab: a page shown
// again (Material's instant navigation keeps this module) uses them straight away.
let backend = null;

function connectBackend(root) {
  if (!backend) {
    const call = connect(new URL("./tokenizer-worker.js", import.meta.url));
    const url = address(root.dataset.tokenizer);
    const ready = Object.fromEntries(TOKENIZERS.map(({ name }) => [name, call("load", { name, url })]));
    backend = { call, ready };
  }
  return backend;
}

export function start(root, { used = Promise.resolve() } = {}) {
  const input = element("textarea", { rows: 3, spellcheck: false });
  const recorded = recordedTokens(root);
  input.value = recorded?.text ?? TEXT;
  const letter = element("input", { value: "r", maxlength: 2, size: 2 });
  const counted = element("p", { class: "tp-counted" });
  const rows = TOKENIZERS.map((spec) => ({
    spec,
    count: element("span", { class: "tp-count" }),
    pieces: element("div", { class: "tp-pieces" }),
    state: "waiting", // or "recorded"; then "loading", "ready" or "failed"
  }));
  const waitNote = element("p", { class: "tp-wait" }, recorded
    ? "These are the tokens recorded when the site was built. Click or type in the box to cut your own text: your browser then fetches the tokenizers' vocabularies, a few megabytes, once."
    : "The tokenizers' vocabularies (a few megabytes, fetched once) load when you click or type in the box.");
  const partialNote = element("p", { class: "tp-note", hidden: true },
    "Dashed pieces hold part of a character (an emoji, say): the tokenizer cut it into bytes, shown in hex.");

  root.replaceChildren(
    element("label", { class: "tp-label" }, "Type anything:", input),
    waitNote,
    ...rows.map((row) => (row.root = element("div", { class: "tp-row", "data-tokenizer": row.spec.name },
      head(row.spec, row.count),
      row.pieces))),
    partialNote,
    element("div", { class: "tp-letters" },
      element("label", {}, "Count the letter ", letter, " in the word you click or select in the box."),
      counted),
  );
  const say = announcer(root);

  // The tokens of `shown` (the text they were cut from), per tokenizer; a newer text is asked for
  // as the reader types, and answers to older questions are dropped.
  let shown = null;
  let tokens = {};
  let asked = 0;
  const setState = (row, state) => {
    row.state = state;
    row.root.dataset.state = state;
  };
  if (recorded) {
    shown = recorded.text;
    tokens = recorded.tokens;
    for (const row of rows) if (tokens[row.spec.name]) setState(row, "recorded");
  }
  function ask() {
    if (!backend) return;
    const text = input.value;
    const mine = ++asked;
    root.setAttribute("aria-busy", "true");
    backend.call("tokenize", { text }).then((found) => {
      if (mine !== asked) return;
      shown = text;
      tokens = found;
      show();
    }).finally(() => mine === asked && root.removeAttribute("aria-busy"));
  }

  // What the letter counter looks at: the selection, else the word at the cursor, else all the text.
  let span = null;
  let seen = null;
  const pick = () => {
    const { value, selectionStart: from, selectionEnd: to } = input;
    if (seen === `${from} ${to} ${value}`) return; // a keystroke fires both input and keyup
    seen = `${from} ${to} ${value}`;
    span = from < to ? { start: from, end: to } : wordAt(value, from);
    if (value === shown) show();
    else ask();
  };

  function show() {
    const text = input.value;
    const target = span ?? { start: 0, end: text.length };
    const inTarget = (token) => token.start < target.end && token.end > target.start;
    const current = text === shown;
    let partial = false;
    const ids = [];
    const drawn = (row) => row.state === "ready" || row.state === "recorded";
    for (const row of rows.filter((row) => drawn(row) && current && tokens[row.spec.name])) {
      const found = tokens[row.spec.name];
      row.count.textContent = found.length === 1 ? "1 token" : `${found.length} tokens`;
      row.pieces.replaceChildren(...found.map((token, i) => piece(token, i, span && inTarget(token))));
      partial ||= found.some((token) => token.partial);
      ids.push([row.spec.label, found.filter(inTarget).map((token) => token.id)]);
    }
    partialNote.hidden = !partial;
    const { parts, spoken } = letterCount(text.slice(target.start, target.end), letter.value.trim(), span, ids);
    counted.replaceChildren(...parts);
    if (current && rows.every((row) => row.state === "ready" || row.state === "failed")) {
      const counts = rows.filter((row) => row.state === "ready").map((row) => `${said(row.spec)}: ${row.count.textContent}`);
      say(`${counts.join(", ")}. ${spoken}`, QUIET);
    }
  }

  function begin() {
    const { ready } = connectBackend(root);
    waitNote.hidden = true;
    for (const row of rows) {
      setState(row, "loading");
      row.count.textContent = "loading…";
      ready[row.spec.name].then(
        () => { setState(row, "ready"); ask(); },
        (error) => {
          setState(row, "failed");
          row.count.textContent = `could not load it: ${error.message}`;
          row.count.classList.add("tp-error");
        },
      );
    }
  }

  input.addEventListener("input", pick);
  for (const event of ["click", "keyup", "select"]) input.addEventListener(event, pick);
  letter.addEventListener("input", show);
  if (backend) begin();
  else used.then(begin);
  show();
}

// The default sentence's tokens as tokens.py recorded them: { text, tokens: { name: [token] } } in
// tokenize.js's shape, or null where the page has none (or they don't spell the sentence).
function recordedTokens(root) {
  let data;
  try {
    data = JSON.parse(root.dataset.recorded ?? "null");
  } catch {
    return null;
  }
  if (!data?.text || !data.tokens) return null;
  const tokens = {};
  for (const [name, list] of Object.entries(data.tokens)) {
    let at = 0;
    tokens[name] = list.map(({ text, id }) => {
      const token = { id, text, parts: [{ text }], partial: false, start: at, end: at + text.length };
      at = token.end;
      return token;
    });
    if (at !== data.text.length) return null;
  }
  return { text: data.text, tokens };
}

// One token: its text over its id, in one of five colours; outlined if it is part of the word the
// letter counter looks at. Bytes that are only part of a character show in hex, dashed.
function piece(token, index, picked) {
  const classes = ["tp-piece", `tp-c${index % 5}`, token.partial && "tp-partial", picked && "tp-picked"];
  return element("span", { class: classes.filter(Boolean).join(" "), title: `token id ${token.id}` },
    element("span", { class: "tp-text" }, ...token.parts.map((part) =>
      ("text" in part ? visible(part.text) : element("span", { class: "tp-bytes" }, part.bytes)))),
    element("span", { class: "tp-id" }, String(token.id)));
}

// "strawberry" has 3 r's. You can see them; the model can't. It gets: ours 1 2 3, ...
// parts: for the page; spoken: the first sentence, for a screen reader (which also hears the counts).
function letterCount(word, letter, isWord, ids) {
  if (!word) return { parts: ["Type something in the box."], spoken: "The box is empty." };
  if ([...letter].length !== 1) return { parts: ["Type one letter to count."], spoken: "" };
  const n = countLetter(word, letter);
  const what = isWord ? `“${word}”` : "Your whole text";
  const spoken = `${what} has ${n === 0 ? "no" : n} ${letter}${n === 1 ? "" : "'s"}.`;
  const seen = n === 0 ? "You can see that; the model can't." : "You can see them; the model can't.";
  const parts = [`${spoken} ${seen} All it gets is numbers:`];
  for (const [name, list] of ids) {
    const shown = list.slice(0, SHOWN_IDS).join(" ") + (list.length > SHOWN_IDS ? ` … (${list.length} in all)` : "");
    parts.push(element("br"), `${name}: `, element("code", {}, shown));
  }
  return { parts, spoken };
}
