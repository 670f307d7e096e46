package dev.greta;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * For A/B tools that time two builds in one JVM: a class loader per compiled {@code classes} folder, and the
 * summary line each tool prints per variant.
 */
public final class BuildVariants {
    private BuildVariants() {}

    /**
     * {@code harness} (a test class) loaded beside the product classes of {@code classes}, then this JVM's class
     * path for the libraries; the parent is the platform loader, so nothing comes from this build by accident.
     */
    public static Class<?> load(String classes, Class<?> harness) {
        try {
            URL testClasses = harness.getProtectionDomain().getCodeSource().getLocation();
            List<URL> urls = new ArrayList<>(List.of(Path.of(classes).toUri().toURL(), testClasses));
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (!entry.isEmpty()) urls.add(Path.of(entry).toUri().toURL());
            }
            ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
            return loader.loadClass(harness.getName());
        } catch (MalformedURLException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot load " + harness.getSimpleName() + " over " + classes + ": " + e, e);
        }
    }

    /** "name  min X ms (Y GFLOP/s)  median ..." of nanosecond samples of a call worth {@code flops}. */
    public static String summary(String name, List<Long> nanos, double flops) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) throw new IllegalStateException("no timed calls: raise --rounds or --seconds");
        long min = sorted[0];
        long median = sorted[sorted.length / 2];
        return String.format(Locale.ROOT, "%-10s min %.3f ms (%.1f GFLOP/s)  median %.3f ms (%.1f GFLOP/s)  %d calls",
                name, min / 1e6, flops / min, median / 1e6, flops / median, sorted.length);
    }
}
