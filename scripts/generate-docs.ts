/** Writes the contract documents generated from src/contracts (`npm run docs:generate`). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateContractDocs } from '../src/contracts/generate-docs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const [path, content] of generateContractDocs()) {
  const target = join(root, path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
  process.stderr.write(`wrote ${path}\n`);
}
