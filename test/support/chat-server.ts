/**
 * A local OpenAI-compatible chat server for tests: a real node:http server answering
 * `POST /v1/chat/completions` with a deterministic reply built from the prompt. By default the
 * reply cites the first context snippet label it finds in the last user message
 * (`[n] path:start-end`), so a test knows which citation a report must carry. Other modes cite
 * outside the context (to exercise citation checking), cite nothing valid, answer empty text,
 * or put reasoning in `<think>` first. It logs every request, and can be told to fail the next
 * requests with a status (and headers, e.g. Retry-After) or to hang without answering.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalHttpServer } from './local-http-server.js';

export type ChatAnswerMode =
  /** Cites the first context label, and the first line of the second one when there is one. */
  | 'cite-context'
  /** Like `cite-context`, plus a citation of a file not in the context and of lines past a snippet. */
  | 'cite-missing'
  /** Only citations outside the context. */
  | 'cite-only-missing'
  /** An empty `content`. */
  | 'empty'
  /** `<think>…</think>` with a fake citation inside, then the `cite-context` answer. */
  | 'think';

export interface ChatRequestLog {
  readonly path: string;
  readonly model: string;
  readonly messages: readonly { role: string; content: string }[];
  readonly maxTokens: number | undefined;
  readonly maxCompletionTokens: number | undefined;
  readonly authorization: string | undefined;
  /** The status answered; 0 for a request left hanging. */
  readonly status: number;
}

export type ChatFailure =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  /** Never answers (until the server closes). */
  | { readonly hang: true };

export interface ChatServer {
  /** e.g. `http://127.0.0.1:port`; the OpenAI-compatible base URL is `${url}/v1`. */
  readonly url: string;
  readonly requests: ChatRequestLog[];
  setMode(mode: ChatAnswerMode): void;
  /** The next requests fail with these, in order. */
  failNext(...failures: ChatFailure[]): void;
  close(): Promise<void>;
}

/** The file the `cite-missing` modes cite: never in any context. */
export const MISSING_CITATION = 'src/does-not-exist.ts:1-3';

interface Label {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

function contextLabels(prompt: string): Label[] {
  return [...prompt.matchAll(/^\[\d+\] (\S+):(\d+)-(\d+)$/gm)].map((m) => ({
    path: m[1] ?? '',
    start: Number(m[2]),
    end: Number(m[3]),
  }));
}

/** The reply for a prompt: deterministic, so tests can predict the citations exactly. */
export function chatAnswer(mode: ChatAnswerMode, prompt: string): string {
  const [first, second] = contextLabels(prompt);
  if (mode === 'empty') return '';
  if (first === undefined) return 'I was given no context to summarise.';
  const cited = `This project is summarised by the test model from its sources [${first.path}:${first.start}-${first.end}].`;
  const more = second === undefined ? '' : ` Its code starts in ${second.path} [${second.path}:${second.start}].`;
  const missing = ` It also claims things found nowhere [${MISSING_CITATION}] [${first.path}:${first.end + 1000}].`;
  switch (mode) {
    case 'cite-context':
      return `${cited}${more}`;
    case 'cite-missing':
      return `${cited}${more}${missing}`;
    case 'cite-only-missing':
      return `This project is summarised by the test model without looking.${missing}`;
    case 'think':
      return `<think>Maybe I should cite [${MISSING_CITATION}].</think>\n${cited}${more}`;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

export async function startChatServer(options: { mode?: ChatAnswerMode } = {}): Promise<ChatServer> {
  let mode: ChatAnswerMode = options.mode ?? 'cite-context';
  const requests: ChatRequestLog[] = [];
  const failures: ChatFailure[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = request.url ?? '';
    let body: ChatBody;
    try {
      body = JSON.parse(await readBody(request)) as ChatBody;
    } catch {
      body = {};
    }
    const model = typeof body.model === 'string' ? body.model : '';
    const messages = Array.isArray(body.messages)
      ? (body.messages as { role?: unknown; content?: unknown }[]).map((m) => ({
          role: String(m.role),
          content: typeof m.content === 'string' ? m.content : '',
        }))
      : [];
    const log = (status: number): void => {
      requests.push({
        path,
        model,
        messages,
        maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
        maxCompletionTokens: typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : undefined,
        authorization: request.headers.authorization,
        status,
      });
    };
    const reply = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
      log(status);
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(json));
    };

    const failure = failures.shift();
    if (failure !== undefined) {
      if ('hang' in failure) {
        log(0);
        return;
      }
      log(failure.status);
      response.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
      response.end(failure.body ?? JSON.stringify({ error: { message: `scripted ${failure.status}` } }));
      return;
    }
    if (request.method !== 'POST' || path !== '/v1/chat/completions' || model === '' || messages.length === 0) {
      reply(400, { error: { message: 'bad request: POST /v1/chat/completions with model and messages' } });
      return;
    }
    const prompt = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
    const content = chatAnswer(mode, prompt);
    const words = (text: string): number => text.match(/\S+/g)?.length ?? 0;
    reply(200, {
      id: `chatcmpl-${requests.length + 1}`,
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: messages.reduce((acc, m) => acc + words(m.content), 0),
        completion_tokens: words(content),
      },
    });
  };

  const server = await startLocalHttpServer(handle);
  return {
    url: server.url,
    requests,
    setMode: (next) => {
      mode = next;
    },
    failNext: (...next) => {
      failures.push(...next);
    },
    close: () => server.close(),
  };
}
