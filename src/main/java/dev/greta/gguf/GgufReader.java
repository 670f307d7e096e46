package dev.greta.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Parses a GGUF header, metadata and tensor table from a segment, checking every count, length and offset
 * against the bytes actually present before it allocates or reads anything, so hostile files fail with a
 * {@link GgufFormatException} naming the field, never with an out-of-bounds read or a huge allocation.
 */
final class GgufReader {
    static final int MAX_ARRAY_DEPTH = 8;
    static final int MAX_DIMS = 4;
    static final long MAX_KEY_BYTES = 65_536;

    record Parsed(int version, GgufMetadata metadata, List<GgufTensor> tensors, int alignment, long dataOffset) {}

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment seg;
    private final long size;
    private final List<GgufFormatException> tensorProblems;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private long pos;

    private GgufReader(MemorySegment seg, List<GgufFormatException> tensorProblems) {
        this.seg = seg;
        this.size = seg.byteSize();
        this.tensorProblems = tensorProblems;
    }

    /** Parses strictly: the first problem fails the parse. */
    static Parsed parse(MemorySegment seg) throws GgufFormatException {
        return new GgufReader(seg, null).parse();
    }

    /**
     * Parses as far as the format allows: a problem confined to one tensor (its offset, size or data range) is
     * added to {@code tensorProblems} and that tensor left out, so a verifier can list every such problem.
     * Problems in the header, metadata or tensor table still throw, since nothing after them can be located.
     */
    static Parsed parseCollecting(MemorySegment seg, List<GgufFormatException> tensorProblems) throws GgufFormatException {
        return new GgufReader(seg, tensorProblems).parse();
    }

    /** Throws {@code problem}, or records it when collecting; returns normally only when recorded. */
    private void tensorProblem(GgufFormatException problem) throws GgufFormatException {
        if (tensorProblems == null) throw problem;
        tensorProblems.add(problem);
    }

    private Parsed parse() throws GgufFormatException {
        need("magic", 4);
        int magic = seg.get(U32, pos);
        if (magic != GgufFile.MAGIC) {
            throw new GgufFormatException("magic", 0, String.format("expected 'GGUF' (0x%08x), found 0x%08x", GgufFile.MAGIC, magic));
        }
        pos += 4;
        long versionAt = pos;
        int version = u32("version");
        if (version != 2 && version != 3) {
            throw new GgufFormatException("version", versionAt, "unsupported GGUF version " + Integer.toUnsignedString(version) + " (supported: 2, 3)");
        }
        long tensorCountAt = pos;
        long tensorCount = u64("tensor_count");
        long kvCountAt = pos;
        long kvCount = u64("metadata_kv_count");
        // Each KV takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor info at least 8 + 4 + 4 + 8.
        if (kvCount < 0 || kvCount > remaining() / 13) {
            throw new GgufFormatException("metadata_kv_count", kvCountAt, "count " + Long.toUnsignedString(kvCount) + " cannot fit in the " + remaining() + " bytes left");
        }
        if (tensorCount < 0 || tensorCount > remaining() / 24) {
            throw new GgufFormatException("tensor_count", tensorCountAt, "count " + Long.toUnsignedString(tensorCount) + " cannot fit in the " + remaining() + " bytes left");
        }

        LinkedHashMap<String, GgufValue> kv = new LinkedHashMap<>();
        long alignmentAt = 0;
        for (long i = 0; i < kvCount; i++) {
            long keyAt = pos;
            String key = string("metadata key", i, MAX_KEY_BYTES);
            if (kv.containsKey(key)) throw new GgufFormatException("metadata key '" + key + "'", keyAt, "duplicate key");
            long typeAt = pos;
            int typeId = u32("metadata '" + key + "' type");
            GgufValueType type = GgufValueType.byId(typeId);
            if (type == null) throw new GgufFormatException("metadata '" + key + "' type", typeAt, "unknown value type " + Integer.toUnsignedString(typeId));
            if (key.equals("general.alignment")) alignmentAt = pos;
            kv.put(key, value("metadata '" + key + "'", type, 0));
        }
        GgufMetadata metadata = new GgufMetadata(kv);

        int alignment = GgufFile.DEFAULT_ALIGNMENT;
        if (metadata.has("general.alignment")) {
            GgufValue a = metadata.get("general.alignment");
            long al = a.type().isInteger() ? a.asLong() : -1;
            if (al <= 0 || al > (1 << 20) || Long.bitCount(al) != 1) {
                throw new GgufFormatException("general.alignment", alignmentAt, "must be a power of two up to 1 MiB, got " + a.display());
            }
            alignment = (int) al;
        }

        record Info(String name, GgmlType type, long[] dims, long offset, long bytes, long at) {}
        List<Info> infos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            long at = pos;
            String name = string("tensor name", i, MAX_KEY_BYTES);
            if (!names.add(name)) throw new GgufFormatException("tensor '" + name + "'", at, "duplicate tensor name");
            String f = "tensor '" + name + "'";
            long nDimsAt = pos;
            int nDims = u32(f + " n_dims");
            if (nDims < 0 || nDims > MAX_DIMS) throw new GgufFormatException(f + " n_dims", nDimsAt, "must be 0.." + MAX_DIMS + ", got " + Integer.toUnsignedString(nDims));
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long dimAt = pos;
                dims[d] = u64(f + " dims[" + d + "]");
                if (dims[d] < 0) throw new GgufFormatException(f + " dims[" + d + "]", dimAt, "dimension " + Long.toUnsignedString(dims[d]) + " is too large");
                if (dims[d] != 0 && elements > Long.MAX_VALUE / dims[d]) throw new GgufFormatException(f + " dims", dimAt, "element count overflows 64 bits");
                elements *= dims[d];
            }
            long typeAt = pos;
            int typeId = u32(f + " type");
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) throw new GgufFormatException(f + " type", typeAt, "unknown tensor type " + Integer.toUnsignedString(typeId));
            long offsetAt = pos;
            long offset = u64(f + " offset");
            long bytes = type.bytesFor(elements);
            if (nDims > 0 && dims[0] % type.blockSize() != 0) {
                tensorProblem(new GgufFormatException(f + " dims[0]", at, "row length " + dims[0] + " is not a multiple of the " + type + " block size " + type.blockSize()));
            } else if (bytes < 0) {
                tensorProblem(new GgufFormatException(f + " size", at, elements + " elements of " + type + " overflow or are not whole blocks"));
            } else if (offset < 0) {
                tensorProblem(new GgufFormatException(f + " offset", offsetAt, "offset " + Long.toUnsignedString(offset) + " is too large"));
            } else if (offset % alignment != 0) {
                tensorProblem(new GgufFormatException(f + " offset", offsetAt, "offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment " + alignment));
            } else {
                infos.add(new Info(name, type, dims, offset, bytes, offsetAt));
            }
        }

        long dataOffset = alignUp(pos, alignment);
        if (tensorCount > 0 && dataOffset > size) {
            throw new GgufFormatException("tensor data", pos, "file ends before the data section at " + dataOffset + " (file size " + size + ")");
        }
        long dataSize = Math.max(0, size - dataOffset);
        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        for (Info in : infos) {
            if (in.offset > dataSize || in.bytes > dataSize - in.offset) {
                tensorProblem(new GgufFormatException("tensor '" + in.name + "' data", in.at,
                        "bytes [" + in.offset + ", " + in.offset + " + " + in.bytes + ") lie past the end of the data section (" + dataSize + " bytes)"));
                continue;
            }
            MemorySegment data = seg.asSlice(dataOffset + in.offset, in.bytes);
            tensors.add(new GgufTensor(in.name, in.type, in.dims, in.offset, in.bytes, data));
        }
        return new Parsed(version, metadata, tensors, alignment, dataOffset);
    }

    private GgufValue value(String field, GgufValueType type, int depth) throws GgufFormatException {
        return new GgufValue(type, switch (type) {
            case UINT8 -> { need(field, 1); yield Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, pos++)); }
            case INT8 -> { need(field, 1); yield (int) seg.get(ValueLayout.JAVA_BYTE, pos++); }
            case UINT16 -> { need(field, 2); int v = Short.toUnsignedInt(seg.get(U16, pos)); pos += 2; yield v; }
            case INT16 -> { need(field, 2); int v = seg.get(U16, pos); pos += 2; yield v; }
            case UINT32 -> Integer.toUnsignedLong(u32(field));
            case INT32 -> u32(field);
            case FLOAT32 -> { need(field, 4); float v = seg.get(F32, pos); pos += 4; yield v; }
            case BOOL -> bool(field, -1);
            case STRING -> string(field, -1, Long.MAX_VALUE);
            case UINT64, INT64 -> u64(field);
            case FLOAT64 -> { need(field, 8); double v = seg.get(F64, pos); pos += 8; yield v; }
            case ARRAY -> array(field, depth);
        });
    }

    /** Names element {@code index} of array {@code field}, or the field itself when index is -1; built only on error. */
    private static String element(String field, long index) {
        return index < 0 ? field : field + "[" + index + "]";
    }

    private boolean bool(String field, long index) throws GgufFormatException {
        if (remaining() < 1) need(element(field, index), 1);
        byte b = seg.get(ValueLayout.JAVA_BYTE, pos);
        if (b != 0 && b != 1) throw new GgufFormatException(element(field, index), pos, "bool must be 0 or 1, got " + b);
        pos++;
        return b == 1;
    }

    private GgufArray array(String field, int depth) throws GgufFormatException {
        if (depth >= MAX_ARRAY_DEPTH) throw new GgufFormatException(field, pos, "arrays nested deeper than " + MAX_ARRAY_DEPTH);
        long typeAt = pos;
        int typeId = u32(field + " element type");
        GgufValueType type = GgufValueType.byId(typeId);
        if (type == null) throw new GgufFormatException(field + " element type", typeAt, "unknown value type " + Integer.toUnsignedString(typeId));
        long countAt = pos;
        long count = u64(field + " length");
        if (count < 0 || count > remaining() / type.minBytes() || count > Integer.MAX_VALUE - 8) {
            throw new GgufFormatException(field + " length", countAt, "array of " + Long.toUnsignedString(count) + " " + type + " cannot fit in the " + remaining() + " bytes left");
        }
        int n = (int) count;
        Object values = switch (type) {
            case UINT8, INT8, UINT16, INT16, INT32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = ((Number) value(field, type, depth + 1).value()).intValue();
                yield a;
            }
            case UINT32, UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) a[i] = ((Number) value(field, type, depth + 1).value()).longValue();
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) { a[i] = seg.get(F32, pos); pos += 4; }
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) { a[i] = seg.get(F64, pos); pos += 8; }
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) a[i] = bool(field, i);
                yield a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) a[i] = string(field, i, Long.MAX_VALUE);
                yield a;
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[n];
                for (int i = 0; i < n; i++) a[i] = array(field + "[" + i + "]", depth + 1);
                yield a;
            }
        };
        return new GgufArray(type, values);
    }

    private String string(String field, long index, long maxBytes) throws GgufFormatException {
        long at = pos;
        if (remaining() < 8) need(element(field, index) + " length", 8);
        long len = seg.get(U64, pos);
        pos += 8;
        if (len < 0 || len > remaining()) {
            throw new GgufFormatException(element(field, index), at, "string length " + Long.toUnsignedString(len) + " runs past the end of the file (" + remaining() + " bytes left)");
        }
        if (len > maxBytes || len > Integer.MAX_VALUE - 8) throw new GgufFormatException(element(field, index), at, "string length " + len + " exceeds the limit of " + Math.min(maxBytes, Integer.MAX_VALUE - 8));
        byte[] bytes = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        try {
            String s = utf8.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            pos += len;
            return s;
        } catch (CharacterCodingException e) {
            throw new GgufFormatException(element(field, index), at, "string is not valid UTF-8");
        }
    }

    private int u32(String field) throws GgufFormatException {
        need(field, 4);
        int v = seg.get(U32, pos);
        pos += 4;
        return v;
    }

    private long u64(String field) throws GgufFormatException {
        need(field, 8);
        long v = seg.get(U64, pos);
        pos += 8;
        return v;
    }

    private void need(String field, long bytes) throws GgufFormatException {
        if (bytes > size - pos) {
            throw new GgufFormatException(field, pos, "file truncated: need " + bytes + " bytes, " + (size - pos) + " left");
        }
    }

    private long remaining() { return size - pos; }

    static long alignUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }
}
