/**
 * Reads the message structures straight from the seed document (committed under docs/seed) and
 * checks that the code contracts say the same thing: same fields, types, enums, ranges and
 * optionality. Guards against the schemas drifting from the user's design.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DiscoveryMessageSchema, StatusMessageSchema, TaskMessageSchema } from '../../../src/contracts/index.js';

interface JsonSchemaNode {
  type?: string;
  format?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
}

const seedPath = new URL('../../../docs/seed/kafka-message-design.md', import.meta.url);

function seedStructures(): Map<string, Record<string, unknown>> {
  const text = readFileSync(seedPath, 'utf8');
  const structures = new Map<string, Record<string, unknown>>();
  const topicBlock = /\*\*(repository\.[a-z]+)\*\*[\s\S]*?```json\n([\s\S]*?)```/g;
  for (const match of text.matchAll(topicBlock)) {
    structures.set(match[1] as string, JSON.parse(match[2] as string) as Record<string, unknown>);
  }
  return structures;
}

/** Compares one seed field description (e.g. "integer (1-5)") with the generated JSON Schema. */
function expectFieldMatches(path: string, seed: unknown, schema: JsonSchemaNode, required: boolean): void {
  if (typeof seed === 'object' && seed !== null) {
    expect(schema.type, path).toBe('object');
    const properties = schema.properties ?? {};
    expect(Object.keys(properties).sort(), `${path} fields`).toEqual(Object.keys(seed).sort());
    for (const [key, value] of Object.entries(seed)) {
      expectFieldMatches(
        `${path}.${key}`,
        value,
        properties[key] as JsonSchemaNode,
        schema.required?.includes(key) ?? false,
      );
    }
    return;
  }
  const description = String(seed);
  expect(required, `${path} optional in the seed?`).toBe(!description.includes('optional'));
  if (description.startsWith('integer')) expect(schema.type, path).toBe('integer');
  if (description.startsWith('float')) expect(schema.type, path).toBe('number');
  if (description.startsWith('string')) expect(schema.type, path).toBe('string');
  if (description === 'UUID') expect(schema.format, path).toBe('uuid');
  if (description.includes('ISO-8601')) expect(schema.format, path).toBe('date-time');
  const range = /\((\d+)-(\d+)\)/.exec(description);
  if (range !== null) {
    expect(schema.minimum, path).toBe(Number(range[1]));
    expect(schema.maximum, path).toBe(Number(range[2]));
  }
  const alternatives = /\(([a-z_]+(?:\|[a-z_]+)+)\)/.exec(description);
  if (alternatives !== null) expect(schema.enum, path).toEqual((alternatives[1] as string).split('|'));
}

describe('contracts match the seed document', () => {
  const seed = seedStructures();
  const schemas: [string, z.ZodType][] = [
    ['repository.discovery', DiscoveryMessageSchema],
    ['repository.tasks', TaskMessageSchema],
    ['repository.status', StatusMessageSchema],
  ];

  it('finds the three message structures in the seed', () => {
    expect([...seed.keys()]).toEqual(schemas.map(([topic]) => topic));
  });

  it.each(schemas)('%s has exactly the seed fields, types, enums and ranges', (topic, schema) => {
    const generated = z.toJSONSchema(schema, { target: 'draft-07' }) as JsonSchemaNode;
    expectFieldMatches(topic, seed.get(topic), generated, true);
  });
});
