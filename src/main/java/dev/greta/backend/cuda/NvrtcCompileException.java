package dev.greta.backend.cuda;

/** NVRTC rejected a kernel source; {@link #log()} is the compiler's log. */
public final class NvrtcCompileException extends CudaException {
    private final String log;

    NvrtcCompileException(String program, int status, String statusName, String log) {
        super("nvrtcCompileProgram(" + program + ")", status, statusName, "compile log:\n" + log);
        this.log = log;
    }

    public String log() { return log; }
}
