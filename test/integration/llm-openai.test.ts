/**
 * The OpenAI-compatible Llm adapter against a real local chat server: the request it sends, what
 * it reads back, retries that honour Retry-After, 4xx never retried, timeouts on a hanging
 * server, refused connections, malformed answers, and the API key kept out of every message.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiLlm, LlmErrorCodes } from '../../src/adapters/llm-openai/index.js';
import { startChatServer, type ChatServer } from '../support/chat-server.js';

const KEY = 'sk-test-5ecret-key';
const ASK = { system: 'Be brief.', messages: [{ role: 'user' as const, content: '[1] README.md:1-4\n1| # x' }] };

describe('OpenAI-compatible Llm adapter', () => {
  let server: ChatServer;
  let sleeps: number[];
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
  };

  beforeAll(async () => {
    server = await startChatServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.setMode('cite-context');
    sleeps = [];
  });

  it('posts system and user messages, max_tokens and the key; returns text, model and usage', async () => {
    const llm = createOpenAiLlm({ baseUrl: `${server.url}/v1/`, model: 'test-model', apiKey: KEY, sleep });
    const completion = await llm.complete({ ...ASK, maxTokens: 64 });
    expect(completion.text).toBe('This project is summarised by the test model from its sources [README.md:1-4].');
    expect(completion.model).toBe('test-model');
    expect(completion.usage).toEqual({ promptTokens: 7, completionTokens: 12 });
    expect(llm.model).toBe('test-model');
    expect(server.requests).toMatchObject([
      {
        path: '/v1/chat/completions',
        model: 'test-model',
        maxTokens: 64,
        authorization: `Bearer ${KEY}`,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: ASK.messages[0]?.content },
        ],
      },
    ]);
  });

  it('switches to max_completion_tokens when the server refuses max_tokens, and keeps it', async () => {
    const llm = createOpenAiLlm({ baseUrl: `${server.url}/v1`, model: 'reasoning-model', sleep });
    // OpenAI's answer to max_tokens for its newer models.
    server.failNext({
      status: 400,
      body: JSON.stringify({
        error: {
          message:
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          type: 'invalid_request_error',
        },
      }),
    });
    expect((await llm.complete({ ...ASK, maxTokens: 64 })).text).toContain('[README.md:1-4]');
    await llm.complete({ ...ASK, maxTokens: 32 });
    expect(server.requests.map((r) => [r.status, r.maxTokens, r.maxCompletionTokens])).toEqual([
      [400, 64, undefined],
      [200, undefined, 64],
      [200, undefined, 32],
    ]);
    // Another 400 is still not retried.
    server.failNext({ status: 400, body: '{"error":{"message":"bad request"}}' });
    await expect(llm.complete({ ...ASK, maxTokens: 32 })).rejects.toMatchObject({ code: 'REPOLENS_LLM_REJECTED' });
    expect(server.requests).toHaveLength(4);
  });

  it('sends no Authorization header without a key, and falls back to the configured model name', async () => {
    const llm = createOpenAiLlm({ baseUrl: `${server.url}/v1`, model: 'local', sleep });
    server.failNext({
      status: 200,
      body: JSON.stringify({ choices: [{ message: { content: [{ text: 'a' }, { text: 'b' }] } }] }),
    });
    expect(await llm.complete(ASK)).toEqual({
      text: 'ab',
      model: 'local',
      usage: { promptTokens: 0, completionTokens: 0 },
    });
    expect(server.requests[0]?.authorization).toBeUndefined();
  });

  it('retries a 429 after its Retry-After, then a 503 with backoff, and succeeds', async () => {
    const llm = createOpenAiLlm({ baseUrl: `${server.url}/v1`, model: 'm', initialBackoffMs: 100, sleep });
    server.failNext({ status: 429, headers: { 'retry-after': '3' } }, { status: 503 });
    const completion = await llm.complete(ASK);
    expect(completion.text).toContain('[README.md:1-4]');
    expect(sleeps).toEqual([3000, 200]);
    expect(server.requests.map((r) => r.status)).toEqual([429, 503, 200]);
  });

  it('never retries another 4xx, and keeps the key out of the message even when the server echoes it', async () => {
    const llm = createOpenAiLlm({ baseUrl: `${server.url}/v1`, model: 'm', apiKey: KEY, sleep });
    server.failNext({
      status: 401,
      body: JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }),
    });
    const failure = llm.complete(ASK);
    await expect(failure).rejects.toMatchObject({ code: LlmErrorCodes.rejected, retryable: false });
    await expect(failure).rejects.toThrow(/answered 401: .*Incorrect API key provided: \*\*\*/);
    await expect(failure).rejects.not.toThrow(KEY);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up after maxRetries with a retryable REPOLENS_UNAVAILABLE', async () => {
    const llm = createOpenAiLlm({ baseUrl: `${server.url}/v1`, model: 'm', maxRetries: 2, sleep });
    server.failNext({ status: 500 }, { status: 502 }, { status: 500 });
    const failure = llm.complete(ASK);
    await expect(failure).rejects.toMatchObject({ code: 'REPOLENS_UNAVAILABLE', retryable: true });
    await expect(failure).rejects.toThrow(/answered 500.*\(after 3 attempts\)/);
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('times out a hanging server, retries once, then fails with REPOLENS_TIMEOUT', async () => {
    const llm = createOpenAiLlm({ baseUrl: `${server.url}/v1`, model: 'm', timeoutMs: 200, maxRetries: 1, sleep });
    server.failNext({ hang: true }, { hang: true });
    const started = Date.now();
    await expect(llm.complete(ASK)).rejects.toMatchObject({ code: 'REPOLENS_TIMEOUT', retryable: true });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.requests.map((r) => r.status)).toEqual([0, 0]);
    expect(sleeps).toEqual([1000]);
  });

  it('a refused connection is retried and reported without the credentials of the URL', async () => {
    const closed = await startChatServer();
    const address = closed.url.slice('http://'.length);
    await closed.close();
    const llm = createOpenAiLlm({
      baseUrl: `http://user:pw@${address}/v1`,
      model: 'm',
      apiKey: KEY,
      maxRetries: 1,
      sleep,
    });
    const failure = llm.complete(ASK);
    await expect(failure).rejects.toMatchObject({ code: 'REPOLENS_UNAVAILABLE', retryable: true });
    await expect(failure).rejects.not.toThrow(/user:pw|sk-test/);
    expect(sleeps).toHaveLength(1);
  });

  it('malformed answers are permanent: invalid JSON, no choices', async () => {
    const llm = createOpenAiLlm({ baseUrl: `${server.url}/v1`, model: 'm', sleep });
    server.failNext({ status: 200, body: 'not json' }, { status: 200, body: JSON.stringify({ choices: [] }) });
    await expect(llm.complete(ASK)).rejects.toMatchObject({ code: LlmErrorCodes.invalidResponse, retryable: false });
    await expect(llm.complete(ASK)).rejects.toMatchObject({ code: LlmErrorCodes.invalidResponse, retryable: false });
    expect(server.requests).toHaveLength(2);
  });

  it('an empty reply is returned as empty text, for the caller to judge', async () => {
    server.setMode('empty');
    const llm = createOpenAiLlm({ baseUrl: `${server.url}/v1`, model: 'm', sleep });
    expect((await llm.complete(ASK)).text).toBe('');
  });

  it('an aborted signal stops the request, waiting or not', async () => {
    const llm = createOpenAiLlm({ baseUrl: `${server.url}/v1`, model: 'm', timeoutMs: 60_000 });
    const before = new AbortController();
    before.abort(new Error('stop'));
    await expect(llm.complete({ ...ASK, signal: before.signal })).rejects.toThrow('stop');
    expect(server.requests).toHaveLength(0);

    server.failNext({ hang: true });
    const during = new AbortController();
    setTimeout(() => during.abort(new Error('stopping now')), 100);
    await expect(llm.complete({ ...ASK, signal: during.signal })).rejects.toThrow('stopping now');
    expect(server.requests).toHaveLength(1);
  });
});
