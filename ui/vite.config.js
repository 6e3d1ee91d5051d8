// Two single-page apps, built one at a time: `vite build --mode operate` and `--mode tasklist`.
// Each lands in the Python package (strom/gateway/ui/static/<app>/) and is served at /<app>/.
// `npm run dev:operate` serves the sources with the REST API of a running broker proxied
// (STROM_REST, default http://127.0.0.1:8080).
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const APPS = [ 'operate', 'tasklist' ];

export default defineConfig(({ mode }) => {
  if (!APPS.includes(mode)) {
    throw new Error(`--mode must be one of ${APPS.join(', ')}, got ${mode}`);
  }
  return {
    root: here(`./${mode}`),
    base: `/${mode}/`,
    publicDir: false,
    build: {
      outDir: here(`../strom/gateway/ui/static/${mode}`),
      emptyOutDir: true,
      sourcemap: false,
      chunkSizeWarningLimit: 1500,
      assetsInlineLimit: 0
    },
    server: {
      fs: { allow: [ here('.') ] },
      proxy: { '/v2': process.env.STROM_REST || 'http://127.0.0.1:8080' }
    }
  };
});
