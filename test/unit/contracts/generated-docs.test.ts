/** The committed AsyncAPI and JSON Schema files must be exactly what the contracts generate. */
import { readFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { generateContractDocs } from '../../../src/contracts/generate-docs.js';

const root = new URL('../../../', import.meta.url);

describe('generated contract documents', () => {
  const generated = generateContractDocs();

  it.each([...generated.keys()])('%s is committed and up to date (run `npm run docs:generate`)', async (path) => {
    const committed = await readFile(new URL(path, root), 'utf8');
    expect(committed).toBe(generated.get(path));
  });

  it('docs/asyncapi.yaml parses with @asyncapi/parser without errors', async () => {
    const { document, diagnostics } = await new Parser().parse(generated.get('docs/asyncapi.yaml') as string);
    const errors = diagnostics.filter((d) => Number(d.severity) === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(document).toBeDefined();
    const addresses =
      document
        ?.channels()
        .all()
        .map((c) => c.address()) ?? [];
    expect(addresses).toEqual(
      expect.arrayContaining(['repository.discovery', 'repository.tasks', 'repository.status', 'repository.dlq']),
    );
    expect(addresses).toHaveLength(13);
  });
});
