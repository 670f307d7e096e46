package dev.greta.engine;

/**
 * The maximum sequence length of a session, the seed's root cause done right: it defaults to the model's
 * trained context ({@code llama.context_length}), can be set by {@code --ctx} or {@code GRETA_MAX_SEQ_LEN},
 * and a prompt that does not fit is refused before any compute — never cut.
 *
 * @param value  positions the KV cache holds
 * @param source where the value came from, for messages
 * @param trained the model's llama.context_length
 */
public record SequenceLimit(int value, String source, int trained) {
    public static final String ENV = "GRETA_MAX_SEQ_LEN";

    public SequenceLimit {
        if (value < 1) throw new IllegalArgumentException("max sequence length must be >= 1, got " + value + " (" + source + ")");
    }

    /** --ctx wins over the environment, which wins over the model. */
    public static SequenceLimit resolve(Integer ctxFlag, String envValue, int trainedContext) {
        if (ctxFlag != null) return new SequenceLimit(ctxFlag, "--ctx", trainedContext);
        if (envValue != null && !envValue.isBlank()) {
            String digits = envValue.trim();
            try {
                return new SequenceLimit(Integer.parseInt(digits), ENV, trainedContext);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(digits.matches("[+-]?\\d+")
                        ? ENV + "='" + envValue + "' is out of range (at most " + Integer.MAX_VALUE + ")"
                        : ENV + "='" + envValue + "' is not a whole number");
            }
        }
        return new SequenceLimit(trainedContext, "llama.context_length", trainedContext);
    }

    public boolean exceedsTrainedContext() { return value > trained; }

    /** Throws {@link SequenceTooLongException} when prompt + new tokens do not fit. */
    public void check(int promptTokens, int maxNewTokens) {
        long needed = (long) promptTokens + maxNewTokens;
        if (needed > Integer.MAX_VALUE) {
            throw new SequenceTooLongException(String.format(
                    "prompt of %d tokens + %d new tokens = %d exceeds the largest supported sequence length %d. "
                            + "Nothing was computed. Ask for fewer new tokens.",
                    promptTokens, maxNewTokens, needed, Integer.MAX_VALUE));
        }
        if (needed > value) {
            throw new SequenceTooLongException(String.format(
                    "prompt of %d tokens + %d new tokens = %d exceeds the max sequence length %d (from %s). "
                            + "Nothing was computed. Raise the limit with --ctx %d or %s=%d%s.",
                    promptTokens, maxNewTokens, needed, value, source, needed, ENV, needed,
                    needed > trained ? " (the model was trained for " + trained + " positions)" : ""));
        }
    }
}
