// Copies the files the compiled code reads at run time (SQL migrations) from src/ to dist/.
// tsc compiles only TypeScript; this keeps `npm run build` a complete build.
import { cpSync } from 'node:fs';
import { URL } from 'node:url';

cpSync(
  new URL('../src/adapters/sql/migrations/', import.meta.url),
  new URL('../dist/adapters/sql/migrations/', import.meta.url),
  { recursive: true },
);
