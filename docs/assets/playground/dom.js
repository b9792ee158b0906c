// Small helpers the playgrounds share. fetchExport also runs in their workers; the rest need a page.

/** A new element: element("p", { class: "note", hidden: true }, "some text", aChildElement). */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) node.setAttribute(name, "");
    else if (value !== false) node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/**
 * Fetch a file a snippet exported. The page names it relative to itself (data-model=
 * "../exports/tiny-gpt.safetensors"); resolved against the page's address, that works wherever the
 * site is published (a sub-path included), and after Material's instant navigation changed pages.
 * A worker gets the address already resolved by the page (address()).
 */
export async function fetchExport(path) {
  const url = new URL(path, location.href);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname} answered ${response.status}`);
  return response;
}

/** The full address of a file the page names relative to itself (for a worker, which is elsewhere). */
export function address(path) {
  return new URL(path, location.href).href;
}

/**
 * A line only screen readers read, for what a widget found: say(text, wait) puts text there after
 * `wait` ms of quiet (a newer say() cancels an older one), so that a screen reader reads the result
 * once the reader stops typing, not after every key.
 */
export function announcer(root) {
  const line = element("p", { class: "pg-announce", role: "status" });
  root.append(line);
  let timer;
  return (text, wait = 0) => {
    clearTimeout(timer);
    timer = setTimeout(() => { line.textContent = text; }, wait);
  };
}

/** Does the reader ask for less motion (an operating-system setting)? */
export function reducedMotion() {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}
