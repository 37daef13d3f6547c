import { join } from 'node:path';
import express, { type RequestHandler } from 'express';

/** Where `vite build web` writes the admin UI (dist/web, beside this compiled module's dist/api). */
const UI_DIR = join(__dirname, '..', 'web');

/**
 * Scripts and styles from this origin only (no inline script, no eval by the app's own code), API calls
 * to this origin, no framing. uPlot and React set element styles through the CSSOM, which the policy allows.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The admin UI at `/`: hashed assets cached for good (their name changes with their content),
 * index.html revalidated every time so a deploy is picked up at the next load.
 */
export function adminUi(): RequestHandler {
  return express.static(UI_DIR, {
    index: 'index.html',
    fallthrough: true,
    setHeaders: (res, path) => {
      res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader('cache-control', path.includes(`${join('web', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
