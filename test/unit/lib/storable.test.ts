import { CUT_MARKER, isStorableText, MAX_JSON_DEPTH, storableJson, storableKey, storableText } from '../../../lib/storable';

describe('what PostgreSQL text and jsonb can store', () => {
  it.each([
    ['plain', 'Ada Lovelace', true],
    ['a surrogate pair (emoji)', 'party \ud83c\udf89', true],
    ['U+0000', 'a\u0000b', false],
    ['a lone high surrogate', 'x\ud800', false],
    ['a lone low surrogate', '\udc00x', false],
    ['reversed surrogates', '\udc00\ud800', false],
  ])('%s', (_what, text, storable) => {
    expect(isStorableText(text)).toBe(storable);
    expect(isStorableText(storableText(text))).toBe(true);
  });

  it('replaces each unstorable code unit with U+FFFD and keeps pairs', () => {
    expect(storableText('a\u0000b\ud800c\ud83c\udf89\udc00')).toBe('a\ufffdb\ufffdc\ud83c\udf89\ufffd');
  });

  it('rewrites strings and keys of a JSON value, keeping "__proto__" an ordinary key', () => {
    const value = JSON.parse('{"__proto__":{"x":"a\\u0000"},"k\\ud800":["\\udc00",1,null,true]}');
    const stored = storableJson(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(Object.keys(stored)).toEqual(['__proto__', 'k\ufffd']);
    expect(JSON.stringify(stored)).toBe('{"__proto__":{"x":"a\ufffd"},"k\ufffd":["\ufffd",1,null,true]}');
  });

  it('hands back the value itself when nothing needs changing', () => {
    const value = { a: [1, 'two', { three: null }], b: 'ok' };
    expect(storableJson(value)).toBe(value);
  });

  it(`cuts containers nested deeper than ${MAX_JSON_DEPTH} levels`, () => {
    let deep: unknown = 'bottom';
    for (let level = 0; level < 10_000; level += 1) deep = [deep];
    let node = storableJson({ deep }) as any;
    let depth = 0;
    while (typeof node === 'object') {
      node = Array.isArray(node) ? node[0] : node.deep;
      depth += 1;
    }
    expect([node, depth]).toEqual([CUT_MARKER, MAX_JSON_DEPTH]);
  });

  it('keeps a short storable key, hashes the others distinctly', () => {
    expect(storableKey('evt_123')).toBe('evt_123');
    const hashed = ['evt_\u0000', 'evt_\ud800', 'evt_\udbff', `evt_${'x'.repeat(501)}`].map(storableKey);
    expect(hashed.every((key) => /^sha256:[0-9a-f]{64}$/.test(key))).toBe(true);
    expect(new Set(hashed).size).toBe(4);
    expect(storableKey('evt_\u0000')).toBe(hashed[0]);
  });
});
