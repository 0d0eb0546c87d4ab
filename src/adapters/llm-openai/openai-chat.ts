/**
 * Llm for OpenAI-compatible servers: `POST {baseUrl}/chat/completions` with
 * `{ model, messages, max_tokens }` (`max_completion_tokens` for servers that ask for it), the
 * reply in `choices[0].message.content`, tokens in `usage.prompt_tokens` /
 * `usage.completion_tokens`. Covers hosted APIs, Ollama's `/v1`, vLLM,
 * LM Studio and llama.cpp's server. Retries, timeouts and error redaction: ../http-retry.
 */
import { RepolensError } from '../../domain/errors.js';
import type { Llm, LlmCompletion, LlmRequest } from '../../ports/llm.js';
import { createRetryingPost } from '../http-retry/index.js';

export const LlmErrorCodes = {
  /** The server refused the request (400, 401, 403, 404, 413, 422…): retrying will not help. */
  rejected: 'REPOLENS_LLM_REJECTED',
  /** The response is not a chat completion (bad JSON, no choices). */
  invalidResponse: 'REPOLENS_LLM_INVALID_RESPONSE',
} as const;

export interface OpenAiLlmOptions {
  /** e.g. `http://127.0.0.1:11434/v1` or `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  readonly model: string;
  /** Sent as `Authorization: Bearer <apiKey>`; never in a message or a log. */
  readonly apiKey?: string;
  /** Per attempt; generation on a CPU is slow, so the default is generous (120 s). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt, for 408/429/5xx/network/timeouts (default 2). */
  readonly maxRetries?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Injectable for tests; must reject when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly fetch?: typeof fetch;
}

const DEFAULTS = { timeoutMs: 120_000, maxRetries: 2, initialBackoffMs: 1_000, maxBackoffMs: 30_000 };

interface ChatResponse {
  model?: unknown;
  choices?: unknown[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
}

/** `content` is a string, or (some servers) a list of typed parts; null for a tool-call-only reply. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}

const tokens = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;

export function createOpenAiLlm(options: OpenAiLlmOptions): Llm {
  // Explicitly undefined options (a setting not given) keep the defaults.
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const settings = { ...DEFAULTS, ...defined } as typeof DEFAULTS & OpenAiLlmOptions;
  const post = createRetryingPost({
    ...settings,
    endpoint: `${settings.baseUrl.replace(/\/+$/, '')}/chat/completions`,
    what: 'chat completion',
    rejectedCode: LlmErrorCodes.rejected,
  });

  // Most servers take `max_tokens`; OpenAI's newer models refuse it and want
  // `max_completion_tokens`. The first such refusal switches this Llm over for good.
  let lengthField: 'max_tokens' | 'max_completion_tokens' = 'max_tokens';
  const send = async (request: LlmRequest): Promise<string> => {
    const messages = [
      ...(request.system === undefined ? [] : [{ role: 'system', content: request.system }]),
      ...request.messages.map((m) => ({ role: m.role, content: m.content })),
    ];
    const body = {
      model: settings.model,
      messages,
      stream: false,
      ...(request.maxTokens === undefined ? {} : { [lengthField]: request.maxTokens }),
    };
    return post.send(body, request.signal);
  };

  return {
    model: settings.model,
    async complete(request: LlmRequest): Promise<LlmCompletion> {
      let text: string;
      try {
        text = await send(request);
      } catch (error: unknown) {
        const wantsOtherField =
          error instanceof RepolensError &&
          error.code === LlmErrorCodes.rejected &&
          lengthField === 'max_tokens' &&
          request.maxTokens !== undefined &&
          error.message.includes('max_completion_tokens');
        if (!wantsOtherField) throw error;
        lengthField = 'max_completion_tokens';
        text = await send(request);
      }
      let json: ChatResponse;
      try {
        json = JSON.parse(text) as ChatResponse;
      } catch (error: unknown) {
        throw new RepolensError(
          LlmErrorCodes.invalidResponse,
          `chat completion server ${post.where} sent invalid JSON`,
          {
            cause: error,
          },
        );
      }
      const choice: unknown =
        typeof json === 'object' && json !== null && Array.isArray(json.choices) ? json.choices[0] : undefined;
      if (typeof choice !== 'object' || choice === null) {
        throw new RepolensError(
          LlmErrorCodes.invalidResponse,
          `chat completion server ${post.where} answered without choices`,
        );
      }
      return {
        text: contentText((choice as { message?: { content?: unknown } }).message?.content),
        model: typeof json.model === 'string' && json.model !== '' ? json.model : settings.model,
        usage: {
          promptTokens: tokens(json.usage?.prompt_tokens),
          completionTokens: tokens(json.usage?.completion_tokens),
        },
      };
    },
  };
}
