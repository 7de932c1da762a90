// The dashboard's build (docs/dashboard.md). Preact through esbuild's automatic JSX
// runtime: no Babel. Output: dist/index.html and dist/assets/<name>-<hash>.<ext>, which
// nichematch serves with a strict CSP (no inline script or style is ever emitted).
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Inline data: URLs for small assets would need a looser CSP for fonts/scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2020',
    sourcemap: false,
    emptyOutDir: true,
  },
  server: {
    // `npx vite` during development: the API on the usual port, same origin for the cookie.
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
});
