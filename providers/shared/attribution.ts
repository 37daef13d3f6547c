const CLICK_ID_KEYS = ['clickId', 'click_id', 'dub_id', 'linquid_click_id'];
const LINK_KEY_KEYS = ['linkKey', 'link_key'];

export interface Attribution {
  clickId?: string;
  linkKey?: string;
}

type Source = Record<string, unknown> | null | undefined;

/** Attribution keys from metadata-like records, first non-empty string wins (sources in priority order). */
export function attributionFrom(...sources: Source[]): Attribution {
  const clickId = firstString(sources, CLICK_ID_KEYS);
  const linkKey = firstString(sources, LINK_KEY_KEYS);
  return { ...(clickId && { clickId }), ...(linkKey && { linkKey }) };
}

function firstString(sources: Source[], keys: string[]): string | undefined {
  for (const source of sources) {
    for (const key of keys) {
      const value = source && Object.hasOwn(source, key) ? source[key] : undefined;
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
    }
  }
  return undefined;
}
