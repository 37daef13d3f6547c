import path from 'node:path';
import { type RequestHandler, Router } from 'express';
import { openApiDocument } from './document';

/** Swagger UI's own build, served from node_modules: no CDN. */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js'] as const;
const ASSET_MAX_AGE = '1h';

/** Scripts only from here (no inline script); Swagger UI sets inline styles and data: images. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Linquid Integrations API reference</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>
`;

/** In its own file so the page needs no inline script. */
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/** `GET /v1/openapi.json`. */
export const sendOpenApiDocument: RequestHandler = (_req, res) => {
  res.json(openApiDocument());
};

/** `GET /docs`: the API reference in Swagger UI, rendering `/v1/openapi.json`. */
export function docsRouter(): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set({ 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    next();
  });
  router.get('/', (_req, res) => {
    res.set('cache-control', 'no-cache').type('html').send(PAGE);
  });
  router.get('/init.js', (_req, res) => {
    res.set('cache-control', 'no-cache').type('js').send(INIT_SCRIPT);
  });
  for (const asset of ASSETS) {
    router.get(`/${asset}`, (_req, res) => {
      res.sendFile(path.join(SWAGGER_UI_DIR, asset), { maxAge: ASSET_MAX_AGE });
    });
  }
  return router;
}
