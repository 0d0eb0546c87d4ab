/** The chunker's public surface (see README.md): `createChunker` and its types. */
export { createChunker, type Chunker, type ChunkerOptions, type ChunkFileInput } from './chunker.js';
export { GRAMMAR_IDS, grammarFor, type GrammarId } from './grammars.js';
