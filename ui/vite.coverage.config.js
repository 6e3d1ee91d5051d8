// The coverage page's viewer: `npx vite build --config vite.coverage.config.js` (from ui/) writes
// strom/testing/_viewer/viewer.js and viewer.css — Operate's Diagram (operate/diagram.js) as one
// IIFE exposing `StromCoverageViewer.Diagram`, inlined by strom/testing/coverage_html.py into the
// HTML report. Rebuild it when operate/diagram.js or bpmn-js change.
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  publicDir: false,
  build: {
    outDir: here('../strom/testing/_viewer'),
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
