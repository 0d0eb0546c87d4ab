/** Embedder adapter for Ollama's native `/api/embed`. */
export { createOllamaEmbedder } from './ollama-embedder.js';
