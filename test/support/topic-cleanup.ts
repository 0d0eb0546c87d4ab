/**
 * Deletes the topics a run created under its prefix. Used by the end-to-end fixture and
 * bench:pipeline, which run against a cluster that outlives them: every partition left behind
 * is replicated and makes the brokers slower for whatever runs next.
 */
import { Admin } from '@platformatic/kafka';

export async function deleteTopicsWithPrefix(brokers: readonly string[], prefix: string): Promise<void> {
  const admin = new Admin({ clientId: 'repolens-topic-cleanup', bootstrapBrokers: [...brokers] });
  try {
    const topics = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.close();
  }
}
