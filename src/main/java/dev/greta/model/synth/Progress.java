package dev.greta.model.synth;

import java.io.PrintStream;
import java.util.Locale;

/** Reports bytes written so far: a carriage-return progress line on a terminal stream, or nothing. */
public interface Progress {

    /** {@code done} of {@code total} bytes are written; {@code what} names the current tensor. */
    void update(long done, long total, String what);

    /** Generation finished. */
    void finish(long total);

    static Progress none() {
        return new Progress() {
            @Override
            public void update(long done, long total, String what) { }

            @Override
            public void finish(long total) { }
        };
    }

    /** A line on {@code out} rewritten at most every 200 ms, then a summary with the elapsed time. */
    static Progress line(PrintStream out, String label) {
        long start = System.nanoTime();
        return new Progress() {
            private long lastShown;

            @Override
            public void update(long done, long total, String what) {
                long now = System.nanoTime();
                if (now - lastShown < 200_000_000L && done < total) return;
                lastShown = now;
                out.printf(Locale.ROOT, "\r%s: %3d%% %,.1f/%,.1f MiB %-32.32s", label, total == 0 ? 100 : done * 100 / total,
                        done / 1048576.0, total / 1048576.0, what);
                out.flush();
            }

            @Override
            public void finish(long total) {
                out.printf(Locale.ROOT, "\r%s: %,.1f MiB in %.1f s%-40s%n", label, total / 1048576.0,
                        (System.nanoTime() - start) / 1e9, "");
                out.flush();
            }
        };
    }
}
