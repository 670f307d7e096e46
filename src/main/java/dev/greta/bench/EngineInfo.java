package dev.greta.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Which engine build made the numbers: the version from the jar and the git commit of its checkout. */
public record EngineInfo(String version, String gitCommit, Boolean gitDirty) {
    private static final String POM_PROPERTIES = "/META-INF/maven/dev.greta/greta/pom.properties";

    public static EngineInfo current() {
        Path codeDir = codeLocation();
        String commit = codeDir == null ? null : git(codeDir, "rev-parse", "HEAD");
        String status = commit == null ? null : git(codeDir, "status", "--porcelain", "--untracked-files=no");
        return new EngineInfo(jarVersion(), commit, status == null ? null : !status.isEmpty());
    }

    private static String jarVersion() {
        try (InputStream in = EngineInfo.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in == null) return null; // running from classes/, not the jar
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            return null;
        }
    }

    /** The folder holding the jar or the classes folder; git finds the checkout above it. */
    private static Path codeLocation() {
        try {
            Path p = Path.of(EngineInfo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isDirectory(p) ? p : p.getParent();
        } catch (Exception e) {
            return null;
        }
    }

    /** The trimmed output of a git command, or null when git or the checkout is missing. */
    private static String git(Path dir, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = dir.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
