import { sha256Hex } from './crypto';

/**
 * What PostgreSQL text and jsonb cannot hold: U+0000 (text refuses the byte, jsonb the `\u0000` escape)
 * and UTF-16 surrogates without their pair (jsonb refuses the escape JSON.stringify writes for them;
 * text would silently get U+FFFD from the UTF-8 encoder).
 */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');
const REPLACEMENT = '\ufffd';

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** The text with each unstorable code unit replaced by U+FFFD (the standard replacement character). */
export function storableText(text: string): string {
  return isStorableText(text) ? text : text.replace(UNSTORABLE_ALL, REPLACEMENT);
}

/** How deep JSON may nest: request bodies deeper are refused, stored provider payloads are cut there. */
export const MAX_JSON_DEPTH = 64;

/** Marks where a stored JSON document was cut (see `storableJson`). */
export const CUT_MARKER = `[removed: nested deeper than ${MAX_JSON_DEPTH} levels]`;

/** Whether jsonb takes the value as it is (see `storableJson`); walks it without allocating. */
function isStorableJson(node: unknown, depth: number): boolean {
  if (typeof node === 'string') return isStorableText(node);
  if (node === null || typeof node !== 'object') return true;
  if (depth >= MAX_JSON_DEPTH) return false;
  if (Array.isArray(node)) return node.every((item) => isStorableJson(item, depth + 1));
  for (const key in node) {
    if (Object.hasOwn(node, key) && !(isStorableText(key) && isStorableJson((node as Record<string, unknown>)[key], depth + 1))) return false;
  }
  return true;
}

/**
 * A JSON value PostgreSQL's jsonb accepts, rewritten deterministically: unstorable characters in strings
 * and keys become U+FFFD, and containers nested deeper than MAX_JSON_DEPTH are replaced by CUT_MARKER (a
 * value thousands of levels deep overflows JSON.stringify's stack, then PostgreSQL's). Returns the value
 * itself when nothing needs changing: on the accept path, the usual case is one walk that allocates nothing.
 */
export function storableJson(value: unknown): unknown {
  if (isStorableJson(value, 0)) return value;
  const walk = (node: unknown, depth: number): unknown => {
    if (typeof node === 'string') return storableText(node);
    if (node === null || typeof node !== 'object') return node;
    if (depth >= MAX_JSON_DEPTH) return CUT_MARKER;
    if (Array.isArray(node)) {
      const items = node.map((item) => walk(item, depth + 1));
      return items.some((item, index) => item !== node[index]) ? items : node;
    }
    let changed = false;
    const entries = Object.entries(node).map(([key, item]) => {
      const entry = [storableText(key), walk(item, depth + 1)] as const;
      if (entry[0] !== key || entry[1] !== item) changed = true;
      return entry;
    });
    if (!changed) return node;
    // defineProperty, not assignment: a key "__proto__" stays an ordinary key.
    const copy: Record<string, unknown> = {};
    for (const [key, item] of entries) Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    return copy;
  };
  return walk(value, 0);
}

/** Longest unique key kept as is: a btree index entry must stay well under PostgreSQL's ~2.7 KB. */
const MAX_KEY_BYTES = 500;

/**
 * A unique key (a provider's event id) as an indexable text: as is when it can be stored and is short
 * enough, else `sha256:<hex>` of its JSON form (which keeps distinct keys distinct, lone surrogates too).
 */
export function storableKey(key: string): string {
  if (isStorableText(key) && Buffer.byteLength(key) <= MAX_KEY_BYTES) return key;
  return `sha256:${sha256Hex(JSON.stringify(key))}`;
}
