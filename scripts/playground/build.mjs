// Bundles src/playground.jsx (GraphiQL, React and klynge's additions) into
// server/playground/assets/playground.js and playground.css, which the
// gateway embeds. Deterministic for a given package-lock.json: CI rebuilds
// them (go generate ./...) and fails when the committed files differ.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', '..', 'server', 'playground', 'assets');

await esbuild.build({
  absWorkingDir: here,
  entryPoints: { playground: 'src/playground.jsx' },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
});
