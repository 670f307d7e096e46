package dev.greta.backend.cuda;

/** A CUDA driver, NVRTC or cuBLAS call returned an error status; the message names the call and the error. */
public class CudaException extends RuntimeException {
    private final String call;
    private final int status;
    private final String statusName;
    private final String description;

    public CudaException(String call, int status, String statusName, String description) {
        super(call + " failed: " + statusName + " (" + status + ")"
                + (description == null || description.isBlank() ? "" : ": " + description));
        this.call = call;
        this.status = status;
        this.statusName = statusName;
        this.description = description == null ? "" : description;
    }

    /** The library function that failed, e.g. "cuMemAlloc_v2". */
    public String call() { return call; }

    /** The raw status code it returned. */
    public int status() { return status; }

    /** The status's symbolic name, e.g. "CUDA_ERROR_OUT_OF_MEMORY". */
    public String statusName() { return statusName; }

    /** The library's description of the status (may be empty). */
    public String description() { return description; }
}
