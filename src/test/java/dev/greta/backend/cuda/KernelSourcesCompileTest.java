package dev.greta.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compiles every kernel source with nvcc for sm_90 (sm_90a for the wgmma kernel; skipped when nvcc is not
 * installed): catches C++ errors without a GPU. The flash kernel is built in the configurations the backend generates, both KV types.
 */
class KernelSourcesCompileTest {
    @TempDir
    static Path work;

    @BeforeAll
    static void copySources() throws IOException {
        Assumptions.assumeTrue(nvccAvailable(), "nvcc is not on the PATH: kernel sources not compiled here");
        for (String f : List.of(KernelSources.COMMON_HEADER, KernelSources.DEQUANT, KernelSources.ELEMENTWISE,
                KernelSources.ATTENTION, KernelSources.FLASH, KernelSources.FLASH_MMA, KernelSources.FLASH_TC_HEADER,
                KernelSources.FLASH_WGMMA)) {
            Files.writeString(work.resolve(f), KernelSources.text(f));
        }
    }

    static Stream<List<String>> builds() {
        return Stream.of(
                List.of(KernelSources.DEQUANT), List.of(KernelSources.ELEMENTWISE), List.of(KernelSources.ATTENTION),
                flash(128, 4, 16, 32, 0), flash(128, 4, 1, 32, 1), flash(64, 1, 64, 16, 1), flash(8, 2, 32, 32, 0),
                flash(128, 8, 8, 128, 0), mma(128, 4, 16, 64, 1), mma(128, 4, 32, 64, 0), mma(64, 1, 64, 16, 1),
                mma(32, 8, 2, 128, 1), mma(64, 8, 16, 64, 1, 2), mma(48, 2, 16, 32, 0, 2),
                mma(128, 1, 128, 64, 1, 2), mma(80, 1, 64, 32, 0, 2),
                wgmma(64, 8, 8, 128, 1), wgmma(128, 1, 64, 64, 1), wgmma(128, 4, 32, 128, 0), wgmma(64, 2, 32, 64, 0), wgmma(128, 1, 192, 128, 1, 1), wgmma(64, 8, 32, 64, 0, 1));
    }

    private static List<String> flash(int headDim, int group, int bq, int bk, int f16) {
        List<String> args = new ArrayList<>(List.of(KernelSources.FLASH));
        args.addAll(List.of("-DHEAD_DIM=" + headDim, "-DGROUP=" + group, "-DBQ=" + bq, "-DBK=" + bk,
                "-DTHREADS=" + FlashAttention.threadsFor(bq * group, headDim, bk), "-DKV_F16=" + f16));
        return args;
    }

    private static List<String> mma(int headDim, int group, int bq, int bk, int f16) {
        return mma(headDim, group, bq, bk, f16, 1);
    }

    private static List<String> mma(int headDim, int group, int bq, int bk, int f16, int warpTiles) {
        return List.of(KernelSources.FLASH_MMA, "-DHEAD_DIM=" + headDim, "-DGROUP=" + group, "-DBQ=" + bq, "-DBK=" + bk,
                "-DKV_F16=" + f16, "-DMT=" + warpTiles);
    }

    private static List<String> wgmma(int headDim, int group, int bq, int bk, int f16) {
        return wgmma(headDim, group, bq, bk, f16, 0);
    }

    private static List<String> wgmma(int headDim, int group, int bq, int bk, int f16, int qInShared) {
        return List.of(KernelSources.FLASH_WGMMA, "-DHEAD_DIM=" + headDim, "-DGROUP=" + group, "-DBQ=" + bq, "-DBK=" + bk,
                "-DKV_F16=" + f16, "-DQ_SMEM=" + qInShared);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builds")
    void compilesForSm90(List<String> build) throws Exception {
        String arch = "sm_90" + (KernelSources.archSpecific(build.getFirst()) ? "a" : "");
        List<String> command = new ArrayList<>(List.of("nvcc", "-arch=" + arch, "-cubin", "-std=c++17", "-I", work.toString(),
                "-o", work.resolve("out.cubin").toString()));
        command.addAll(build.subList(1, build.size()));
        command.add(work.resolve(build.getFirst()).toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("nvcc finished").isTrue();
        assertThat(p.exitValue()).as("nvcc %s:%n%s", command, log).isZero();
        assertThat(log).as("nvcc warnings").doesNotContain("warning");
        assertThat(Files.size(work.resolve("out.cubin"))).isPositive();
    }

    private static boolean nvccAvailable() {
        try {
            Process p = new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
