/**
 * Checkout's `client_reference_id` is free-form (often the merchant's own user or cart id), so it is read as a
 * click id only when a prefix says it is one: `dub_id_<click id>` (what Dub's Payment Links append) or
 * `linquid_click_id_<click id>`.
 */
const CLICK_REFERENCE_PREFIXES = ['dub_id_', 'linquid_click_id_'];

export function clickIdOfReference(reference: string | null | undefined): string | undefined {
  const prefix = reference ? CLICK_REFERENCE_PREFIXES.find((candidate) => reference.startsWith(candidate)) : undefined;
  const clickId = prefix ? reference!.slice(prefix.length).trim() : '';
  return clickId === '' ? undefined : clickId;
}
