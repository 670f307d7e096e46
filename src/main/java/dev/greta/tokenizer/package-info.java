/**
 * Tokenizers built from GGUF {@code tokenizer.ggml.*} metadata alone that reproduce llama.cpp's token ids:
 * SentencePiece ({@code llama}) and byte-level BPE ({@code gpt2}), with special-token parsing and
 * detokenization. Start at {@link dev.greta.tokenizer.Tokenizer#fromMetadata}.
 */
package dev.greta.tokenizer;
