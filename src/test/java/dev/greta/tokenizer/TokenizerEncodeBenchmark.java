package dev.greta.tokenizer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Time to encode a prompt of about 32k tokens (LongInputTest's text). Run after {@code mvn test-compile}:
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) org.openjdk.jmh.Main TokenizerEncodeBenchmark}
 * with cp.txt from {@code mvn dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenizerEncodeBenchmark {
    @Param({TestVocabularies.LLAMA3_BPE, TestVocabularies.LLAMA2_SPM})
    public String vocabulary;

    private Tokenizer tokenizer;
    private String text;

    @Setup
    public void setUp() {
        tokenizer = TestVocabularies.tokenizer(vocabulary);
        int perParagraph = tokenizer.encode(LongInputTest.PARAGRAPH, false, false).length;
        text = LongInputTest.longText(32_768 / perParagraph + 1);
    }

    @Benchmark
    public int[] encode32kTokens() {
        return tokenizer.encode(text, true, false);
    }
}
