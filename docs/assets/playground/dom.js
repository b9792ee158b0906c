// Small helpers the playgrounds share on the page.

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
 */
export async function fetchExport(path) {
  const url = new URL(path, location.href);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname} answered ${response.status}`);
  return response;
}
