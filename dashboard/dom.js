/**
 * DOM building without innerHTML: every string that reaches the page, from data or not, becomes a
 * text node or an attribute value, so nothing the API returns is ever parsed as markup.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

function setProps(element, props) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.setAttribute('class', String(value));
    else if (name === 'dataset') {
      for (const [key, data] of Object.entries(value)) {
        if (data !== undefined && data !== null) element.dataset[key] = String(data);
      }
    } else if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'value' && 'value' in element) element.value = String(value);
    else if (name === 'checked' && 'checked' in element) element.checked = Boolean(value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
}

function appendChildren(element, children) {
  for (const child of children.flat(Number.POSITIVE_INFINITY)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** `h('td', { class: 'num' }, text, node, ...)`: an element; strings become text nodes. */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  setProps(element, props);
  appendChildren(element, children);
  return element;
}

/** The same for SVG elements. */
export function s(tag, props, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  setProps(element, props);
  appendChildren(element, children);
  return element;
}

/**
 * An element index.html always has, by id: a missing one is a broken page, said at once.
 * @param {string} id
 */
export function pageElement(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`index.html has no #${id}`);
  return element;
}

/** Replaces an element's children. */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  appendChildren(element, children);
  return element;
}

/** A link to a route of the page (`#/products/P00042`); ids are encoded, never trusted as markup. */
export function routeHref(...segments) {
  return `#/${segments.map((segment) => encodeURIComponent(segment)).join('/')}`;
}
