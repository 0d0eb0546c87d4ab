/**
 * A local embedding server for tests and benchmarks: OpenAI-compatible `POST /v1/embeddings`
 * and Ollama's `POST /api/embed`, answering with a deterministic hashed-token embedding (texts
 * sharing words get similar vectors). It logs every request, and can be told to fail the next
 * requests with a status and headers (429 with Retry-After, 500, 400) to test retries.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalHttpServer } from './local-http-server.js';

export interface EmbeddingRequestLog {
  readonly path: string;
  readonly model: string;
  readonly inputs: readonly string[];
  readonly authorization: string | undefined;
  /** The status answered. */
  readonly status: number;
}

export interface ScriptedFailure {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface EmbeddingServer {
  /** e.g. `http://127.0.0.1:port`; OpenAI-compatible base URL is `${url}/v1`. */
  readonly url: string;
  readonly dimensions: number;
  readonly requests: EmbeddingRequestLog[];
  /** Texts embedded successfully, over all requests. */
  embeddedTexts(): string[];
  /** The next requests fail with these, in order. */
  failNext(...failures: ScriptedFailure[]): void;
  close(): Promise<void>;
}

/** Hashed bag of words, L2-normalised: deterministic, and similar texts are close. */
export function hashedEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  for (const word of words) {
    const digest = createHash('sha256').update(word).digest();
    const slot = digest.readUInt32BE(0) % dimensions;
    vector[slot] = (vector[slot] ?? 0) + ((digest[4] ?? 0) & 1 ? 1 : -1);
  }
  const norm = Math.sqrt(vector.reduce((acc, v) => acc + v * v, 0));
  // An empty text still gets a valid (non-zero) vector: cosine distance needs one.
  if (norm === 0) return vector.map((_, i) => (i === 0 ? 1 : 0));
  return vector.map((v) => v / norm);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startEmbeddingServer(options: { dimensions?: number } = {}): Promise<EmbeddingServer> {
  const dimensions = options.dimensions ?? 64;
  const requests: EmbeddingRequestLog[] = [];
  const failures: ScriptedFailure[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = request.url ?? '';
    const body = await readBody(request);
    let parsed: { model?: unknown; input?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      parsed = {};
    }
    const inputs = Array.isArray(parsed.input)
      ? parsed.input.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)))
      : [typeof parsed.input === 'string' ? parsed.input : ''];
    const model = typeof parsed.model === 'string' ? parsed.model : '';
    const log = (status: number): void => {
      requests.push({ path, model, inputs, authorization: request.headers.authorization, status });
    };
    const failure = failures.shift();
    if (failure !== undefined) {
      log(failure.status);
      response.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
      response.end(failure.body ?? JSON.stringify({ error: { message: `scripted ${failure.status}` } }));
      return;
    }
    if (request.method !== 'POST' || (path !== '/v1/embeddings' && path !== '/api/embed') || model === '') {
      log(400);
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'bad request' } }));
      return;
    }
    log(200);
    const vectors = inputs.map((text) => hashedEmbedding(text, dimensions));
    const tokens = inputs.reduce((acc, text) => acc + (text.match(/\S+/g)?.length ?? 0), 0);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(
        path === '/api/embed'
          ? { model, embeddings: vectors, prompt_eval_count: tokens }
          : {
              object: 'list',
              model,
              data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
              usage: { prompt_tokens: tokens, total_tokens: tokens },
            },
      ),
    );
  };

  const server = await startLocalHttpServer(handle);
  return {
    url: server.url,
    dimensions,
    requests,
    embeddedTexts: () => requests.filter((r) => r.status === 200).flatMap((r) => r.inputs),
    failNext: (...next) => {
      failures.push(...next);
    },
    close: () => server.close(),
  };
}
