package dev.greta.backend.cuda;

import dev.greta.backend.KvCache;
import dev.greta.backend.KvType;
import dev.greta.model.ModelShape;

/**
 * Keys and values of every layer in device memory, head-major per layer: [layer][kvHead][position][headDim],
 * so the keys of one head over consecutive positions are contiguous (what attention tiles stream). Elements are
 * float32 for {@link KvType#F32} and IEEE half for {@link KvType#F16}.
 */
final class CudaKvCache implements KvCache {
    final CudaBackend owner;
    final ModelShape shape;
    private final int maxSeq;
    private final KvType type;
    private final CudaDevice device;
    private final DeviceMemory keys;
    private final DeviceMemory values;
    private final long layerBytes;

    CudaKvCache(CudaBackend owner, CudaDevice device, ModelShape shape, int maxSeq, KvType type) {
        this.owner = owner;
        this.device = device;
        this.shape = shape;
        this.maxSeq = maxSeq;
        this.type = type;
        this.layerBytes = (long) shape.kvHeads() * maxSeq * shape.headDim() * type.bytesPerElement();
        this.keys = device.allocate(layerBytes * shape.layers());
        DeviceMemory v;
        try {
            v = device.allocate(layerBytes * shape.layers());
        } catch (RuntimeException e) {
            device.free(keys);
            throw e;
        }
        this.values = v;
    }

    @Override
    public int maxSeq() { return maxSeq; }

    @Override
    public KvType type() { return type; }

    @Override
    public long bytes() { return 2 * layerBytes * shape.layers(); }

    long keys(int layer) { return keys.pointer() + layer * layerBytes; }

    long values(int layer) { return values.pointer() + layer * layerBytes; }

    @Override
    public void close() {
        device.free(keys);
        device.free(values);
    }
}
