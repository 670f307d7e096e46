package dev.greta.backend.cuda;

import dev.greta.gguf.GgmlType;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The backend's kernels: the fixed modules (dequantisation, element-wise ops, naive attention) loaded when the
 * backend opens, and flash-attention modules compiled on first use for each configuration.
 */
final class CudaKernels implements AutoCloseable {
    /** GGUF tensor types the backend can upload, each with a dequantisation kernel. */
    static final Set<GgmlType> UPLOADABLE = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K);

    final Kernel embedBf16, embedF32, rmsNorm, rope, swiglu, add, toBf16, kvStoreF32, kvStoreF16;
    final Kernel naiveF32, naiveF16, combine;
    private final Map<GgmlType, Kernel> dequantBf16 = new EnumMap<>(GgmlType.class);
    private final Map<GgmlType, Kernel> dequantF32 = new EnumMap<>(GgmlType.class);
    private final Map<String, Kernel> flash = new HashMap<>();
    private final List<CudaModule> modules = new ArrayList<>();
    private final CudaDevice device;
    private final ModuleCache cache;

    CudaKernels(CudaDevice device, ModuleCache cache) {
        this.device = device;
        this.cache = cache;
        CudaModule dequant = load(KernelSources.DEQUANT, List.of());
        for (GgmlType type : UPLOADABLE) {
            String base = "dequant_" + type.name().toLowerCase(Locale.ROOT);
            dequantBf16.put(type, dequant.kernel(base + "_bf16"));
            dequantF32.put(type, dequant.kernel(base + "_f32"));
        }
        CudaModule elementwise = load(KernelSources.ELEMENTWISE, List.of());
        embedBf16 = elementwise.kernel("embed_rows_bf16");
        embedF32 = elementwise.kernel("embed_rows_f32");
        rmsNorm = elementwise.kernel("rms_norm");
        rope = elementwise.kernel("rope");
        swiglu = elementwise.kernel("swiglu");
        add = elementwise.kernel("add_inplace");
        toBf16 = elementwise.kernel("to_bf16");
        kvStoreF32 = elementwise.kernel("kv_store_f32");
        kvStoreF16 = elementwise.kernel("kv_store_f16");
        CudaModule attention = load(KernelSources.ATTENTION, List.of());
        naiveF32 = attention.kernel("attn_naive_f32");
        naiveF16 = attention.kernel("attn_naive_f16");
        combine = attention.kernel("attn_combine");
    }

    Kernel dequant(GgmlType type, WeightPrecision precision) {
        Kernel k = (precision == WeightPrecision.BF16 ? dequantBf16 : dequantF32).get(type);
        if (k == null) throw new IllegalArgumentException("no dequantisation kernel for " + type);
        return k;
    }

    /** The flash_attention kernel of {@code source} (flash.cu or flash_mma.cu) compiled with {@code defines}. */
    Kernel flash(String source, List<String> defines) {
        return flash.computeIfAbsent(source + defines, key -> load(source, defines).kernel("flash_attention"));
    }

    String cacheSummary() { return cache.summary(); }

    private CudaModule load(String file, List<String> defines) {
        CudaModule module = new CudaModule(file + defines, cache.cubin(file, defines), device);
        modules.add(module);
        return module;
    }

    @Override
    public void close() {
        for (CudaModule m : modules) m.close();
        modules.clear();
    }
}
