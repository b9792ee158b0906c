// The tokenizer playground's logic, without the page: cut text into tokens with any of the three
// tokenizers, and describe each token the way the page's Python output does. Node's tests import it.

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder(); // bytes that are not a whole character become "�", as in Python

// Byte-level BPE (GPT-2's trick) stores each byte as a printable character: byte 32 (a space) is
// "Ġ", and so on. This undoes it: the token's text in the vocabulary -> its bytes.
const BYTE_OF = (() => {
  const printable = [];
  for (const [first, last] of [[33, 126], [161, 172], [174, 255]]) {
    for (let b = first; b <= last; b++) printable.push(b);
  }
  const map = new Map();
  let shifted = 256;
  for (let b = 0; b < 256; b++) {
    map.set(String.fromCharCode(printable.includes(b) ? b : shifted++), b);
  }
  return map;
})();

/** Our own tokenizer, from its tokenizer.json (parsed), with @huggingface/tokenizers' Tokenizer class. */
export function ourTokenizer(Tokenizer, json) {
  const tokenizer = new Tokenizer(json, {});
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    bytes: (id) => Uint8Array.from(tokenizer.id_to_token(id), (ch) => BYTE_OF.get(ch)),
  };
}

/** An OpenAI tokenizer from a vendored gpt-tokenizer bundle ({ encode, vocabulary }). */
export function openaiTokenizer({ encode, vocabulary }) {
  // "<|endoftext|>" typed by a reader is plain text: encode it as such instead of refusing it.
  const options = { disallowedSpecial: new Set() };
  return {
    encode: (text) => encode(text, options),
    bytes: (id) => {
      const entry = vocabulary[id]; // a string, or the bytes when they are not valid UTF-8 alone
      return typeof entry === "string" ? utf8.encode(entry) : Uint8Array.from(entry);
    },
  };
}

/** A token's text with spaces, line breaks and tabs made visible, as on the page: " straw" -> "·straw". */
export function visible(text) {
  return text.replaceAll(" ", "·").replaceAll("\n", "\\n").replaceAll("\t", "\\t");
}

/**
 * The text cut into tokens: [{ id, text, parts, partial, start, end }]. text is the token's text as
 * Python shows it, with "�" for bytes that are only part of a character (a tokenizer may cut an
 * emoji into bytes; such a token is partial); parts is the same for showing it here:
 * [{ text: " " }, { bytes: "f0 9f" }], those bytes in hex. start and end say which part of the input
 * (in JavaScript string positions) the token covers; a token with part of a character covers all of
 * that character.
 */
export function tokenize(tokenizer, text) {
  const spans = characterOfEachByte(text);
  let byte = 0;
  return tokenizer.encode(text).map((id) => {
    const bytes = tokenizer.bytes(id);
    const first = spans[byte];
    byte += bytes.length;
    const shown = parts(bytes);
    const partial = shown.some((part) => "bytes" in part);
    return { id, text: utf8Decoder.decode(bytes), parts: shown, partial, start: first.start, end: spans[byte - 1].end };
  });
}

// The token's bytes as [{ text: " " }, { bytes: "f0 9f" }]: whole characters as text, the rest in hex.
function parts(bytes) {
  const found = [];
  for (let i = 0; i < bytes.length;) {
    const size = characterLength(bytes, i);
    const last = found.at(-1);
    if (size) {
      const text = utf8Decoder.decode(bytes.subarray(i, i + size));
      if (last && "text" in last) last.text += text;
      else found.push({ text });
      i += size;
    } else {
      const hex = bytes[i].toString(16).padStart(2, "0");
      if (last && "bytes" in last) last.bytes += ` ${hex}`;
      else found.push({ bytes: hex });
      i += 1;
    }
  }
  return found;
}

// How many bytes the character that starts at bytes[i] takes, or 0 if they are not all there.
function characterLength(bytes, i) {
  const lead = bytes[i];
  const size = lead < 0x80 ? 1 : lead >> 5 === 0b110 ? 2 : lead >> 4 === 0b1110 ? 3 : lead >> 3 === 0b11110 ? 4 : 0;
  for (let k = 1; k < size; k++) {
    if (i + k >= bytes.length || bytes[i + k] >> 6 !== 0b10) return 0;
  }
  return size;
}

// For each byte of the text in UTF-8, where the character it belongs to sits in the string.
function characterOfEachByte(text) {
  const spans = [];
  let index = 0;
  for (const ch of text) { // by code point: an emoji is one character but two string positions
    const span = { start: index, end: index + ch.length };
    for (let n = utf8.encode(ch).length; n > 0; n--) spans.push(span);
    index = span.end;
  }
  return spans;
}

/** How many times letter occurs in word, ignoring case: the count the model is asked for. */
export function countLetter(word, letter) {
  const target = letter.toLowerCase();
  return [...word.toLowerCase()].filter((ch) => ch === target).length;
}

/** The word around position `at` in text ({ start, end }), or null where there is none. */
export function wordAt(text, at) {
  const isWordChar = (ch) => /[\p{L}\p{N}'_-]/u.test(ch);
  let start = at;
  let end = at;
  while (start > 0 && isWordChar(text[start - 1])) start--;
  while (end < text.length && isWordChar(text[end])) end++;
  return start < end ? { start, end } : null;
}
