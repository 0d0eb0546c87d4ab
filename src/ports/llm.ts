/**
 * Llm: a chat model that writes text from a prompt — the report's model-written summary
 * (issue 8, section 10). Adapter: src/adapters/llm-openai (any OpenAI-compatible
 * `/chat/completions`: hosted APIs, Ollama's /v1, vLLM, LM Studio, llama.cpp's server).
 *
 * The contract:
 * - `complete(request)` sends the system text and the messages as one conversation and resolves
 *   to the model's reply. `text` may be empty (a model that had nothing to say, or answered only
 *   with a tool call): judging the text is the caller's business, never the adapter's.
 * - `model` in the completion is the model the server says answered (it may name a version the
 *   configured alias points to); `Llm.model` is the configured one.
 * - `usage` is the server's token count; 0 when it reports none.
 * - Failures are `RepolensError`s: `retryable: true` for what trying later may fix (429, 5xx,
 *   network, timeout) after the adapter's own retries are spent, `false` otherwise (400, 401,
 *   404, a malformed response). Messages never contain the API key. An aborted `signal` rejects
 *   with the signal's reason.
 * - Whatever goes into the request leaves the machine when the endpoint is remote: callers send
 *   only what they mean to share.
 */

export interface LlmMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

export interface LlmRequest {
  /** Instructions the model should follow over anything in `messages`. */
  readonly system?: string;
  readonly messages: readonly LlmMessage[];
  /** Upper bound on the reply's length in tokens; the server's default when omitted. */
  readonly maxTokens?: number;
  readonly signal?: AbortSignal;
}

export interface LlmUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface LlmCompletion {
  readonly text: string;
  readonly model: string;
  readonly usage: LlmUsage;
}

export interface Llm {
  /** The configured model name. */
  readonly model: string;
  complete(request: LlmRequest): Promise<LlmCompletion>;
}
