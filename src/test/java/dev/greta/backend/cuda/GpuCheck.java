package dev.greta.backend.cuda;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

/**
 * Runs the cuda package's tests (the GPU ones included) and then {@link CudaOpsBenchmark}, for a GPU machine
 * without Maven: {@code scripts/gpu-check.sh}. Exit status 1 when a test failed. Arguments: "tests" or "bench"
 * to run only one part; after "tests", a regular expression of test classes to leave out.
 */
public final class GpuCheck {
    private GpuCheck() {
    }

    public static void main(String[] args) throws Exception {
        String only = args.length > 0 ? args[0] : "all";
        boolean passed = true;
        if (!only.equals("bench")) passed = runTests(args.length > 1 ? args[1] : null);
        if (!only.equals("tests")) CudaOpsBenchmark.main(new String[0]);
        System.exit(passed ? 0 : 1);
    }

    /** @param exclude a regular expression of test class names to leave out, or null */
    private static boolean runTests(String exclude) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener progress = new TestExecutionListener() {
            private long started;

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                System.out.println("SKIP " + test.getDisplayName() + ": " + reason);
            }

            @Override
            public void executionStarted(TestIdentifier test) {
                if (test.isTest()) started = System.nanoTime();
                else if (test.getSource().map(src -> src instanceof ClassSource).orElse(false)) {
                    System.out.println("== " + test.getDisplayName());
                }
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (!test.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) return;
                if (test.isTest() && (System.nanoTime() - started) > 1_000_000_000L) {
                    System.out.printf("  (%.1f s)%n", (System.nanoTime() - started) / 1e9);
                }
                String what = test.isTest() ? test.getUniqueIdObject().getSegments().get(1).getValue()
                        .replace("dev.greta.backend.cuda.", "") + " " + test.getDisplayName() : test.getDisplayName();
                String detail = result.getStatus() == TestExecutionResult.Status.ABORTED
                        ? result.getThrowable().map(t -> ": " + t.getMessage()).orElse("")
                        : result.getThrowable().map(t -> "\n    " + t.toString().replace("\n", "\n    ")).orElse("");
                System.out.println(result.getStatus() + " " + what + detail);
            }
        };
        long t0 = System.nanoTime();
        // A test that hangs (in a kernel, say) fails after its timeout instead of eating the machine's time.
        var request = LauncherDiscoveryRequestBuilder.request().selectors(selectPackage("dev.greta.backend.cuda"));
        if (exclude != null) request.filters(ClassNameFilter.excludeClassNamePatterns(exclude));
        launcher.execute(request
                .configurationParameter("junit.jupiter.execution.timeout.default", "90 s")
                .configurationParameter("junit.jupiter.execution.timeout.thread.mode.default", "SEPARATE_THREAD")
                .build(), summary, progress);
        TestExecutionSummary s = summary.getSummary();
        System.out.printf("tests: %d passed, %d failed, %d skipped (%d aborted) in %.1f s%n",
                s.getTestsSucceededCount(), s.getTestsFailedCount() + s.getContainersFailedCount(),
                s.getTestsSkippedCount(), s.getTestsAbortedCount(), (System.nanoTime() - t0) / 1e9);
        s.printFailuresTo(new PrintWriter(System.out, true), 30);
        return s.getTotalFailureCount() == 0;
    }
}
