package dev.greta.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.greta.backend.cuda.NativeLibrary.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** NVRTC bindings: compiles CUDA C++ to a cubin for one GPU architecture at run time. */
final class Nvrtc {
    private final MethodHandle nvrtcVersion, nvrtcCreateProgram, nvrtcCompileProgram, nvrtcGetProgramLogSize,
            nvrtcGetProgramLog, nvrtcGetCUBINSize, nvrtcGetCUBIN, nvrtcDestroyProgram, nvrtcGetErrorString;

    Nvrtc(NativeLibrary library) {
        preloadBuiltins(library);
        nvrtcVersion = library.function("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        nvrtcCreateProgram = library.function("nvrtcCreateProgram",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        nvrtcCompileProgram = library.function("nvrtcCompileProgram",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        nvrtcGetProgramLogSize = library.function("nvrtcGetProgramLogSize",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        nvrtcGetProgramLog = library.function("nvrtcGetProgramLog", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        nvrtcGetCUBINSize = library.function("nvrtcGetCUBINSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        nvrtcGetCUBIN = library.function("nvrtcGetCUBIN", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        nvrtcDestroyProgram = library.function("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        nvrtcGetErrorString = library.function("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /**
     * NVRTC dlopens its builtins library (libnvrtc-builtins.so.X.Y) by soname; when NVRTC itself came from a
     * directory off the loader path, load the builtins from that directory first so the soname resolves.
     */
    private static void preloadBuiltins(NativeLibrary nvrtc) {
        Path dir = nvrtc.directory();
        if (dir == null) return;
        try (var files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().startsWith("libnvrtc-builtins.so."))
                    .sorted()
                    .forEach(f -> NativeLibrary.locateOptional("NVRTC builtins", List.of(f.getFileName().toString()), dir));
        } catch (java.io.IOException e) {
            // Nothing to preload: NVRTC reports a missing builtins library itself when it compiles.
        }
    }

    /** "major.minor" of this NVRTC. */
    String version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(JAVA_INT), minor = arena.allocate(JAVA_INT);
            check((int) nvrtcVersion.invokeExact(major, minor), "nvrtcVersion");
            return major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Compiles {@code source} (named {@code name} in messages) with {@code headers} (include name → text) and
     * {@code options} such as "-arch=sm_90"; returns the cubin.
     *
     * @throws NvrtcCompileException with the compiler log when the source does not compile
     */
    byte[] compile(String name, String source, Map<String, String> headers, List<String> options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment headerTexts = arena.allocate(ADDRESS, Math.max(1, headers.size()));
            MemorySegment headerNames = arena.allocate(ADDRESS, Math.max(1, headers.size()));
            int h = 0;
            for (var e : headers.entrySet()) {
                headerNames.setAtIndex(ADDRESS, h, arena.allocateFrom(e.getKey()));
                headerTexts.setAtIndex(ADDRESS, h, arena.allocateFrom(e.getValue()));
                h++;
            }
            MemorySegment programOut = arena.allocate(ADDRESS);
            check((int) nvrtcCreateProgram.invokeExact(programOut, arena.allocateFrom(source), arena.allocateFrom(name),
                    headers.size(), headerTexts, headerNames), "nvrtcCreateProgram(" + name + ")");
            MemorySegment program = programOut.get(ADDRESS, 0);
            try {
                MemorySegment opts = arena.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) opts.setAtIndex(ADDRESS, i, arena.allocateFrom(options.get(i)));
                int rc = (int) nvrtcCompileProgram.invokeExact(program, options.size(), opts);
                if (rc != 0) throw new NvrtcCompileException(name, rc, errorString(rc), log(program, arena));
                MemorySegment size = arena.allocate(JAVA_LONG);
                check((int) nvrtcGetCUBINSize.invokeExact(program, size), "nvrtcGetCUBINSize(" + name + ")");
                MemorySegment cubin = arena.allocate(size.get(JAVA_LONG, 0));
                check((int) nvrtcGetCUBIN.invokeExact(program, cubin), "nvrtcGetCUBIN(" + name + ")");
                return cubin.toArray(JAVA_BYTE);
            } finally {
                check((int) nvrtcDestroyProgram.invokeExact(programOut), "nvrtcDestroyProgram(" + name + ")");
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private String log(MemorySegment program, Arena arena) throws Throwable {
        MemorySegment size = arena.allocate(JAVA_LONG);
        check((int) nvrtcGetProgramLogSize.invokeExact(program, size), "nvrtcGetProgramLogSize");
        MemorySegment text = arena.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
        check((int) nvrtcGetProgramLog.invokeExact(program, text), "nvrtcGetProgramLog");
        return text.getString(0);
    }

    private void check(int rc, String call) {
        if (rc != 0) throw new CudaException(call, rc, errorString(rc), "");
    }

    String errorString(int rc) {
        try {
            return NativeLibrary.cString((MemorySegment) nvrtcGetErrorString.invokeExact(rc));
        } catch (Throwable t) {
            return "NVRTC_ERROR_" + rc;
        }
    }
}
