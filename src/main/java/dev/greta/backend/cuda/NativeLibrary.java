package dev.greta.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A shared library loaded for its C functions, and where it was found. {@link #locate} searches, in order: the
 * directory of GRETA_CUDA_LIB_DIR (passed in), the dynamic loader's path by soname, then /usr/local/cuda/lib64.
 */
record NativeLibrary(String soname, String location, SymbolLookup symbols) {
    static final Path TOOLKIT_DIR = Path.of("/usr/local/cuda/lib64");
    private static final Linker LINKER = Linker.nativeLinker();

    /**
     * Loads the first of {@code sonames} found. {@code preferredDir} (may be null) is searched first.
     *
     * @throws CudaUnavailableException naming every place tried when none loads
     */
    static NativeLibrary locate(String what, List<String> sonames, Path preferredDir) {
        List<String> tried = new ArrayList<>();
        List<Path> dirsFirst = preferredDir == null ? List.of() : List.of(preferredDir);
        for (Path dir : dirsFirst) {
            Optional<NativeLibrary> lib = loadFromDir(dir, sonames, tried);
            if (lib.isPresent()) return lib.get();
        }
        for (String soname : sonames) {
            try {
                return new NativeLibrary(soname, soname + " (loader path)",
                        SymbolLookup.libraryLookup(soname, Arena.global()));
            } catch (IllegalArgumentException e) {
                tried.add(soname + " on the loader path");
            }
        }
        Optional<NativeLibrary> lib = loadFromDir(TOOLKIT_DIR, sonames, tried);
        if (lib.isPresent()) return lib.get();
        throw new CudaUnavailableException("cannot load " + what + ": tried " + String.join(", ", tried)
                + " (set GRETA_CUDA_LIB_DIR to the directory that holds it)");
    }

    /** Like {@link #locate} but empty instead of failing, for libraries Greta can do without (NVML). */
    static Optional<NativeLibrary> locateOptional(String what, List<String> sonames, Path preferredDir) {
        try {
            return Optional.of(locate(what, sonames, preferredDir));
        } catch (CudaUnavailableException e) {
            return Optional.empty();
        }
    }

    private static Optional<NativeLibrary> loadFromDir(Path dir, List<String> sonames, List<String> tried) {
        for (String soname : sonames) {
            Path file = dir.resolve(soname);
            if (!Files.exists(file)) {
                tried.add(file.toString());
                continue;
            }
            try {
                return Optional.of(new NativeLibrary(soname, file.toString(),
                        SymbolLookup.libraryLookup(file, Arena.global())));
            } catch (IllegalArgumentException e) {
                tried.add(file + " (" + e.getMessage() + ")");
            }
        }
        return Optional.empty();
    }

    /** The directory the library was loaded from, or null when the loader found it by soname. */
    Path directory() {
        return location.startsWith("/") ? Path.of(location).getParent() : null;
    }

    MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    Optional<MethodHandle> optionalFunction(String name, FunctionDescriptor descriptor) {
        return symbols.find(name).map(s -> LINKER.downcallHandle(s, descriptor));
    }

    private MemorySegment symbol(String name) {
        return symbols.find(name).orElseThrow(() -> new CudaUnavailableException(
                location + " has no function " + name + " (library too old or not the CUDA one?)"));
    }

    /** Reads a NUL-terminated C string returned by a library (never longer than a few hundred bytes). */
    static String cString(MemorySegment pointer) {
        return pointer.equals(MemorySegment.NULL) ? "" : pointer.reinterpret(4096).getString(0);
    }

    /** Rethrows what a downcall threw: MethodHandle.invokeExact declares Throwable. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
