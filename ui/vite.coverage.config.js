// The coverage page's viewer, the third step of `npm run build`: writes
// strom/gateway/ui/static/coverage/viewer.js and viewer.css — Operate's Diagram (operate/diagram.js)
// as one IIFE exposing `StromCoverageViewer.Diagram`, which strom/testing/coverage_html.py inlines
// into the HTML report of `pytest --strom-coverage` (a classic script: browsers refuse ES modules
// from file://). Built with the apps, never committed; not served by the broker.
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  publicDir: false,
  build: {
    outDir: here('../strom/gateway/ui/static/coverage'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    lib: {
      entry: here('./coverage/viewer.js'),
      name: 'StromCoverageViewer',
      formats: [ 'iife' ],
      fileName: () => 'viewer.js',
      cssFileName: 'viewer'
    },
    rollupOptions: { output: { inlineDynamicImports: true } }
  }
});
