#!/usr/bin/env node
// The entry point: runs the compiled CLI (npm run build puts it in dist/).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "codec-lab: dist/ is missing: run 'npm run build' (or scripts/setup.sh) first\n",
  );
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
