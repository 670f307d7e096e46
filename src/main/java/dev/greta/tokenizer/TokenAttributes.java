package dev.greta.tokenizer;

/**
 * Token attribute bits as llama.cpp keeps them (llama_token_attr); a token may carry several, e.g. a normal token
 * that llama.cpp promotes to control because its text marks an end of turn.
 */
final class TokenAttributes {
    static final int UNDEFINED = 0;
    static final int UNKNOWN = 1;
    static final int UNUSED = 1 << 1;
    static final int NORMAL = 1 << 2;
    static final int CONTROL = 1 << 3;
    static final int USER_DEFINED = 1 << 4;
    static final int BYTE = 1 << 5;

    private TokenAttributes() {}

    /** Maps a GGUF {@code tokenizer.ggml.token_type} value (1 normal … 6 byte) to attribute bits. */
    static int fromTokenType(int type) {
        return switch (type) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }
}
