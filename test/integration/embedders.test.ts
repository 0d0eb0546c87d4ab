/**
 * The HTTP embedders against a real local server: batching, auth, accounting, retries that
 * honour Retry-After, permanent 4xx, and network failures.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOllamaEmbedder } from '../../src/adapters/embedder-ollama/index.js';
import { createOpenAiEmbedder, EmbedderErrorCodes } from '../../src/adapters/embedder-openai/index.js';
import { hashedEmbedding, startEmbeddingServer, type EmbeddingServer } from '../support/embedding-server.js';

describe('HTTP embedders', () => {
  let server: EmbeddingServer;
  let sleeps: number[];
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
  };

  beforeAll(async () => {
    server = await startEmbeddingServer({ dimensions: 16 });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    sleeps = [];
  });

  it('OpenAI-compatible: batches, sends the key, returns vectors in order and counts usage', async () => {
    const embedder = createOpenAiEmbedder({
      baseUrl: `${server.url}/v1/`,
      model: 'm',
      apiKey: 'sk-secret',
      batchSize: 3,
      sleep,
    });
    const texts = ['alpha beta', 'gamma', 'delta', 'epsilon zeta eta', 'theta', 'iota', 'kappa'];
    const vectors = await embedder.embed(texts);
    expect(vectors).toEqual(texts.map((t) => hashedEmbedding(t, 16)));
    expect(server.requests.map((r) => r.inputs.length)).toEqual([3, 3, 1]);
    expect(server.requests.every((r) => r.path === '/v1/embeddings' && r.authorization === 'Bearer sk-secret')).toBe(
      true,
    );
    expect(embedder.dimensions).toBe(16);
    expect(embedder.usage()).toEqual({ requests: 3, inputTokens: 10 });
  });

  it('Ollama native: /api/embed with prompt_eval_count as tokens', async () => {
    const embedder = createOllamaEmbedder({ baseUrl: server.url, model: 'nomic-embed-text', sleep });
    const vectors = await embedder.embed(['one two', 'three']);
    expect(vectors).toEqual([hashedEmbedding('one two', 16), hashedEmbedding('three', 16)]);
    expect(server.requests).toMatchObject([
      { path: '/api/embed', model: 'nomic-embed-text', authorization: undefined },
    ]);
    expect(embedder.usage()).toEqual({ requests: 1, inputTokens: 3 });
  });

  it('retries a 429 after the Retry-After delay, then a 503 with backoff, and succeeds', async () => {
    const embedder = createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'm', initialBackoffMs: 100, sleep });
    server.failNext({ status: 429, headers: { 'retry-after': '3' } }, { status: 503 });
    const vectors = await embedder.embed(['hello']);
    expect(vectors).toEqual([hashedEmbedding('hello', 16)]);
    expect(sleeps).toEqual([3000, 200]);
    expect(server.requests.map((r) => r.status)).toEqual([429, 503, 200]);
    expect(embedder.usage().requests).toBe(3);
  });

  it('a 400 is permanent: no retry, retryable false, and the key is not in the message', async () => {
    const embedder = createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'm', apiKey: 'sk-secret', sleep });
    server.failNext({ status: 400, body: '{"error":"input too long"}' });
    const failure = embedder.embed(['x']);
    await expect(failure).rejects.toMatchObject({ code: EmbedderErrorCodes.rejected, retryable: false });
    await expect(failure).rejects.not.toThrow(/sk-secret/);
    await expect(failure).rejects.toThrow(/400.*input too long/);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up after maxRetries with a retryable error', async () => {
    const embedder = createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'm', maxRetries: 2, sleep });
    server.failNext({ status: 500 }, { status: 502 }, { status: 500 });
    await expect(embedder.embed(['x'])).rejects.toMatchObject({ code: 'REPOLENS_UNAVAILABLE', retryable: true });
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('a refused connection is retryable; a wrong vector count is a permanent invalid response', async () => {
    const closed = await startEmbeddingServer();
    const url = closed.url;
    await closed.close();
    const down = createOpenAiEmbedder({
      baseUrl: `http://user:pw@${url.slice('http://'.length)}/v1`,
      model: 'm',
      maxRetries: 1,
      sleep,
    });
    const failure = down.embed(['x']);
    await expect(failure).rejects.toMatchObject({ code: 'REPOLENS_UNAVAILABLE', retryable: true });
    await expect(failure).rejects.not.toThrow(/user:pw/);

    server.failNext({ status: 200, body: JSON.stringify({ data: [] }) });
    const embedder = createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'm', sleep });
    await expect(embedder.embed(['x'])).rejects.toMatchObject({
      code: EmbedderErrorCodes.invalidResponse,
      retryable: false,
    });
  });

  it('an aborted signal stops the embedder', async () => {
    const embedder = createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: 'm', sleep });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(embedder.embed(['x'], { signal: controller.signal })).rejects.toThrow('stop');
    expect(server.requests).toHaveLength(0);
  });
});
