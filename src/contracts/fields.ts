/** Field types shared by the seed's message schemas. */
import { z } from 'zod';

/** Seed: "ISO-8601 timestamp". An explicit offset (Z or ±hh:mm) is required: no local times. */
export const isoTimestamp = z.iso
  .datetime({ offset: true })
  .describe('ISO-8601 timestamp with an explicit offset (Z or ±hh:mm)');

/** Seed: "integer (1-5)". */
export const priority = z.int().min(1).max(5).describe('Priority, 1 (lowest) to 5 (highest)');

/**
 * The normalized repository URL; also the message key, so one repository's messages stay in
 * order on one partition. Normalization rules live with discovery; the contract bounds size.
 */
export const repositoryUrl = z.string().min(1).max(2048).describe('Normalized repository URL');
