/**
 * Run by store-pglite.test.ts as a second process: opens the PGlite store in argv[2], records
 * one status message, closes, and prints the outcome as one JSON line.
 */
import { createPgliteStore } from '../../src/adapters/store-pglite/index.js';
import { isRepolensError } from '../../src/domain/errors.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: store-pglite-child.ts <dataDir>');

try {
  const store = await createPgliteStore({ dataDir });
  try {
    await store.migrate();
    await store.recordStatus(
      {
        repository_url: 'https://h/child',
        status: 'cloning',
        timestamp: new Date().toISOString(),
        details: { progress: 0, stage_duration: 0 },
      },
      { messageKey: `child:${process.pid}` },
    );
  } finally {
    await store.close();
  }
  process.stdout.write(`${JSON.stringify({ ok: true, pid: process.pid })}\n`);
} catch (error: unknown) {
  const code = isRepolensError(error) ? error.code : 'OTHER';
  const message = error instanceof Error ? error.message : String(error);
  process.stdout.write(`${JSON.stringify({ ok: false, code, message })}\n`);
}
