// The tokenizer playground cuts text exactly as the Python tokenizers do: same ids, same pieces.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import * as cl100k from "../../docs/assets/vendor/gpt-tokenizer/cl100k_base.js";
import * as o200k from "../../docs/assets/vendor/gpt-tokenizer/o200k_base.js";
import { Tokenizer } from "../../docs/assets/vendor/tokenizers/tokenizers.js";
import { countLetter, openaiTokenizer, ourTokenizer, tokenize, visible, wordAt } from "../../docs/assets/playground/tokenize.js";
import { reference, skip } from "./reference.mjs";

const OPENAI = { cl100k_base: cl100k, o200k_base: o200k };
const utf8 = new TextEncoder();

// Every case: the same ids as Python, the same pieces, and the tokens cover the text, in order, with
// nothing left over.
function checkCases(tokenizer, cases) {
  for (const { text, ids, pieces, visible: shown } of cases) {
    const tokens = tokenize(tokenizer, text);
    const what = JSON.stringify(text);
    assert.deepEqual(tokens.map((t) => t.id), ids, `ids of ${what}`);
    assert.deepEqual(tokens.map((t) => t.text), pieces, `pieces of ${what}`);
    assert.deepEqual(tokens.map((t) => visible(t.text)), shown, `visible pieces of ${what}`);
    const bytes = tokens.flatMap((t) => [...tokenizer.bytes(t.id)]);
    assert.deepEqual(bytes, [...utf8.encode(text)], `bytes of ${what}`);
    for (const [i, t] of tokens.entries()) {
      if (!t.partial) assert.equal(text.slice(t.start, t.end), t.text, `where ${t.text} is in ${what}`);
      assert.ok(t.start < t.end && (i === 0 || tokens[i - 1].end <= t.end));
    }
  }
}

describe("against Python", { skip }, () => {
  for (const { file, cases } of reference?.tokenizers ?? []) {
    test(`our tokenizer (${file})`, () => {
      checkCases(ourTokenizer(Tokenizer, JSON.parse(readFileSync(file, "utf8"))), cases);
    });
  }
  for (const [name, cases] of Object.entries(reference?.openai ?? {})) {
    test(name, () => checkCases(openaiTokenizer(OPENAI[name]), cases));
  }
});

test("a token with part of a character shows those bytes in hex and covers the character", () => {
  const tokens = tokenize(openaiTokenizer(cl100k), " 🍓!");
  assert.deepEqual(tokens.map((t) => t.parts), [
    [{ text: " " }, { bytes: "f0 9f" }], [{ bytes: "8d" }], [{ bytes: "93" }], [{ text: "!" }]]);
  assert.deepEqual(tokens.map((t) => t.partial), [true, true, true, false]);
  assert.deepEqual(tokens.map((t) => [t.start, t.end]), [[0, 3], [1, 3], [1, 3], [3, 4]]);
  assert.equal(tokens[0].text, " \ufffd"); // what Python prints for it
});

test("visible spaces, line breaks and tabs", () => {
  assert.equal(visible(" straw\tberry\n"), "·straw\\tberry\\n");
});

test("letters are counted in the text, whatever their case", () => {
  assert.equal(countLetter("strawberry", "r"), 3);
  assert.equal(countLetter("Strawberry", "S"), 1);
  assert.equal(countLetter("banana", "r"), 0);
});

test("the word under the cursor", () => {
  const text = "How many r's are in strawberry?";
  assert.deepEqual(wordAt(text, text.indexOf("berry")), { start: 20, end: 30 });
  assert.deepEqual(wordAt(text, 9), { start: 9, end: 12 }); // r's
  assert.equal(wordAt(text, text.length), null);
  assert.equal(wordAt("", 0), null);
});
