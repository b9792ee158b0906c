// The tokenizer playground: what you type, cut into tokens by our tokenizer and two of OpenAI's,
// one row of coloured pieces per tokenizer, and a letter counter that shows what the model gets
// instead of letters. The cutting itself is in tokenize.js.
import { Tokenizer } from "../vendor/tokenizers/tokenizers.js";
import { countLetter, openaiTokenizer, ourTokenizer, tokenize, visible, wordAt } from "./tokenize.js";
import { element, fetchExport } from "./dom.js";

const TEXT = "How many r's are in strawberry?";
const SHOWN_IDS = 12; // the letter counter lists at most this many ids per tokenizer

// The vocabularies are big (cl100k_base about 0.4 MB compressed, o200k_base about 1 MB): each is a
// module of its own, fetched only when a page has a playground.
const TOKENIZERS = [
  {
    name: "ours", about: "learned from Python's manual",
    load: async (root) => ourTokenizer(Tokenizer, await (await fetchExport(root.dataset.tokenizer)).json()),
  },
  {
    name: "cl100k_base", about: "GPT-4",
    load: async () => openaiTokenizer(await import("../vendor/gpt-tokenizer/cl100k_base.js")),
  },
  {
    name: "o200k_base", about: "GPT-4o",
    load: async () => openaiTokenizer(await import("../vendor/gpt-tokenizer/o200k_base.js")),
  },
];

export function start(root) {
  const input = element("textarea", { rows: 3, spellcheck: false, "aria-label": "Text to tokenize" });
  input.value = TEXT;
  const letter = element("input", { value: "r", maxlength: 2, size: 2, "aria-label": "Letter to count" });
  const counted = element("p", { class: "tp-counted", "aria-live": "polite" });
  const rows = TOKENIZERS.map((spec) => ({
    spec,
    count: element("span", { class: "tp-count" }, "loading…"),
    pieces: element("div", { class: "tp-pieces" }),
    tokenizer: null,
  }));
  const partialNote = element("p", { class: "tp-note", hidden: true },
    "Dashed pieces hold part of a character (an emoji, say): the tokenizer cut it into bytes, shown in hex.");

  root.replaceChildren(
    element("label", { class: "tp-label" }, "Type anything:", input),
    ...rows.map((row) => element("div", { class: "tp-row", "data-tokenizer": row.spec.name },
      element("div", { class: "tp-head" }, element("strong", {}, row.spec.name), ` (${row.spec.about}) `, row.count),
      row.pieces)),
    partialNote,
    element("div", { class: "tp-letters" },
      element("label", {}, "Count the letter ", letter, " in the word you click or select in the box."),
      counted),
  );

  // What the letter counter looks at: the selection, else the word at the cursor, else all the text.
  let span = null;
  let seen = null;
  const pick = () => {
    const { value, selectionStart: from, selectionEnd: to } = input;
    if (seen === `${from} ${to} ${value}`) return; // a keystroke fires both input and keyup
    seen = `${from} ${to} ${value}`;
    span = from < to ? { start: from, end: to } : wordAt(value, from);
    update();
  };

  function update() {
    const text = input.value;
    const target = span ?? { start: 0, end: text.length };
    const inTarget = (token) => token.start < target.end && token.end > target.start;
    let partial = false;
    const ids = [];
    for (const row of rows.filter((row) => row.tokenizer)) {
      const tokens = tokenize(row.tokenizer, text);
      row.count.textContent = tokens.length === 1 ? "1 token" : `${tokens.length} tokens`;
      row.pieces.replaceChildren(...tokens.map((token, i) => piece(token, i, span && inTarget(token))));
      partial ||= tokens.some((token) => token.partial);
      ids.push([row.spec.name, tokens.filter(inTarget).map((token) => token.id)]);
    }
    partialNote.hidden = !partial;
    counted.replaceChildren(...letterCount(text.slice(target.start, target.end), letter.value.trim(), span, ids));
  }

  input.addEventListener("input", pick);
  for (const event of ["click", "keyup", "select"]) input.addEventListener(event, pick);
  letter.addEventListener("input", update);
  for (const row of rows) {
    row.spec.load(root).then(
      (tokenizer) => { row.tokenizer = tokenizer; update(); },
      (error) => {
        row.count.textContent = `could not load it: ${error.message}`;
        row.count.classList.add("tp-error");
      },
    );
  }
  update();
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
function letterCount(word, letter, isWord, ids) {
  if (!word) return ["Type something in the box."];
  if ([...letter].length !== 1) return ["Type one letter to count."];
  const n = countLetter(word, letter);
  const what = isWord ? `“${word}”` : "Your text";
  const seen = n === 0 ? "You can see that; the model can't." : "You can see them; the model can't.";
  const parts = [`${what} has ${n === 0 ? "no" : n} ${letter}${n === 1 ? "" : "'s"}. ${seen} ` +
    "All it gets is numbers:"];
  for (const [name, list] of ids) {
    const shown = list.slice(0, SHOWN_IDS).join(" ") + (list.length > SHOWN_IDS ? ` … (${list.length} in all)` : "");
    parts.push(element("br"), `${name}: `, element("code", {}, shown));
  }
  return parts;
}
