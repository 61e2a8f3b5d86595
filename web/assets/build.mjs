// Builds the browser assets that adapters/web embeds. Run `npm ci && npm run build`
// in web/assets; the output in adapters/web/static is committed so `go build`
// never needs node.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const out = "../../adapters/web/static";
mkdirSync(out, { recursive: true });

// htmx is shipped as the upstream minified file.
copyFileSync("node_modules/htmx.org/dist/htmx.min.js", `${out}/htmx.min.js`);

// The GLUE editor: CodeMirror 6 with the languages of the GLUE types.
await build({
  entryPoints: ["src/editor.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outfile: `${out}/editor.js`,
  legalComments: "eof",
});
