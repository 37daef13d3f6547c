import { defineConfig } from 'vite';

// Built into dist/web, which the API serves at `/` (api/admin-ui.ts). No inline scripts: the CSP forbids them.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: { outDir: '../dist/web', emptyOutDir: true, modulePreload: { polyfill: false }, chunkSizeWarningLimit: 1500,
    // rjsf marks its hooks "use client" (for React Server Components): meaningless in a browser bundle.
    rollupOptions: { onwarn: (warning, warn) => warning.code !== 'MODULE_LEVEL_DIRECTIVE' && warn(warning) },
  },
});
