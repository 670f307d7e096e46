package dev.greta.backend.cuda;

/** No usable CUDA setup: a library is missing, the driver has no GPU, or the GPU is too old. */
public class CudaUnavailableException extends RuntimeException {
    public CudaUnavailableException(String reason) {
        super(reason);
    }

    public CudaUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
