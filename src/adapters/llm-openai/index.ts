/** The Llm adapter over HTTP: OpenAI-compatible `/chat/completions`; see README.md. */
export { createOpenAiLlm, LlmErrorCodes, type OpenAiLlmOptions } from './openai-chat.js';
/** The OpenAI-compatible Llm under the name the composition root uses. */
export { createOpenAiLlm as createLlm } from './openai-chat.js';
