import type { Response } from 'express';

/** A page for a person's browser (an OAuth callback's answer): a title, sentences, and facts to quote. */
export interface Page {
  title: string;
  paragraphs: string[];
  /** Label → value, e.g. the new integration's id, or the error code to quote to support. */
  facts?: Array<[string, string]>;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

const STYLE =
  'body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#f6f8fa;margin:0}' +
  'main{max-width:34rem;margin:12vh auto;padding:2rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}' +
  'h1{font-size:1.4rem;margin:0 0 1rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:1.5rem 0 0}' +
  'dt{color:#59636e}dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}';

function renderPage(page: Page): string {
  const facts = page.facts?.length
    ? `<dl>${page.facts.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`
    : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)} · Linquid</title><style>${STYLE}</style></head>`,
    `<body><main><h1>${escapeHtml(page.title)}</h1>${page.paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`).join('')}${facts}</main></body></html>`,
  ].join('\n');
}

/**
 * Answers with the page, self-contained (no script, no external asset: the policy forbids both), never
 * cached, and with no Referer, since the address it answers may carry an OAuth code and state.
 */
export function sendPage(res: Response, status: number, page: Page): void {
  res
    .status(status)
    .set({
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    .type('html')
    .send(renderPage(page));
}
