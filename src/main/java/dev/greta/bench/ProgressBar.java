package dev.greta.bench;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The sweep's progress on stderr. On a terminal one line is redrawn in place every second; elsewhere (a log
 * file, CI) a line is printed only when a run starts or ends.
 */
final class ProgressBar {
    private static final int WIDTH = 24;
    private final PrintWriter err;
    private final boolean terminal;
    private boolean lineOpen;

    ProgressBar(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    static boolean stderrIsTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    /** {@code tick} is a mere clock update, shown only on a terminal. */
    void show(StatusReport status, RunKey current, double currentElapsedS, boolean tick) {
        if (tick && !terminal) return;
        String line = render(status, current, currentElapsedS);
        if (terminal) {
            err.print("\r" + line + "\u001b[K");
            lineOpen = true;
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Ends the redrawn line before other output. */
    void close() {
        if (lineOpen) err.println();
        lineOpen = false;
    }

    void message(String text) {
        close();
        err.println(text);
    }

    static String render(StatusReport s, RunKey current, double currentElapsedS) {
        StatusReport.Progress p = s.progress();
        int filled = p.total() == 0 ? WIDTH : (int) Math.round((double) WIDTH * p.finished() / p.total());
        StringBuilder b = new StringBuilder("bench [").append("#".repeat(filled)).append("-".repeat(WIDTH - filled))
                .append("] ").append(p.finished()).append('/').append(p.total());
        if (p.failed() + p.timeout() > 0) b.append(" (").append(p.failed() + p.timeout()).append(" not ok)");
        if (current != null) b.append(" | ").append(current).append(' ').append(duration(currentElapsedS));
        b.append(" | ETA ").append(s.etaS() == null ? "?" : duration(s.etaS()));
        return b.toString();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
}
