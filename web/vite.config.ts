import { defineConfig } from 'vite';

// Built into dist/web, which the API serves at `/` (api/admin-ui.ts). No inline scripts: the CSP forbids them.
// The pages that need the forms (@rjsf) or the chart (uPlot) are loaded on first use (web/src/main.tsx); React
// is a chunk of its own, so a change to the app's code leaves the browser's cached copy of it valid.
const VENDOR_CHUNKS: Array<[chunk: string, packages: RegExp]> = [['react', /\/node_modules\/(react|react-dom|scheduler)\//]];
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: { outDir: '../dist/web', emptyOutDir: true, modulePreload: { polyfill: false }, chunkSizeWarningLimit: 500,
    // rjsf marks its hooks "use client" (for React Server Components): meaningless in a browser bundle.
    rollupOptions: {
      onwarn: (warning, warn) => warning.code !== 'MODULE_LEVEL_DIRECTIVE' && warn(warning),
      output: { manualChunks: (id) => VENDOR_CHUNKS.find(([, packages]) => packages.test(id))?.[0] },
    },
  },
});
