// Copies the files the compiled code reads at run time (SQL migrations, the spawn server, which is
// plain JavaScript) from src/ to dist/.
// tsc compiles only TypeScript; this keeps `npm run build` a complete build.
import { copyFileSync, cpSync } from 'node:fs';
import { URL } from 'node:url';

cpSync(
  new URL('../src/adapters/sql/migrations/', import.meta.url),
  new URL('../dist/adapters/sql/migrations/', import.meta.url),
  { recursive: true },
);
copyFileSync(
  new URL('../src/adapters/system/spawn-server.mjs', import.meta.url),
  new URL('../dist/adapters/system/spawn-server.mjs', import.meta.url),
);
