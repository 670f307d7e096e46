package dev.greta.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Small GGUF files for tests, built with {@link GgufWriter}. */
public final class TestFiles {
    private TestFiles() {}

    /** A writer holding one value of every metadata type (and nested arrays) and tensors of several types. */
    public static GgufWriter everyTypeWriter() {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.ofString("test"));
        w.put("t.u8", new GgufValue(GgufValueType.UINT8, 200));
        w.put("t.i8", new GgufValue(GgufValueType.INT8, -100));
        w.put("t.u16", new GgufValue(GgufValueType.UINT16, 65000));
        w.put("t.i16", new GgufValue(GgufValueType.INT16, -30000));
        w.put("t.u32", GgufValue.ofUint32(4_000_000_000L));
        w.put("t.i32", GgufValue.ofInt32(-2_000_000_000));
        w.put("t.u64", new GgufValue(GgufValueType.UINT64, -1L));
        w.put("t.i64", new GgufValue(GgufValueType.INT64, Long.MIN_VALUE));
        w.put("t.f32", GgufValue.ofFloat32(1e-5f));
        w.put("t.f64", new GgufValue(GgufValueType.FLOAT64, Math.PI));
        w.put("t.bool", GgufValue.ofBool(true));
        w.put("t.string", GgufValue.ofString("héllo ▁wörld"));
        w.put("t.strings", GgufValue.ofArray(GgufArray.ofStrings(new String[]{"<unk>", "a", "", "▁b"})));
        w.put("t.floats", GgufValue.ofArray(GgufArray.ofFloats(new float[]{0f, -1.5f, 3e38f})));
        w.put("t.ints", GgufValue.ofArray(GgufArray.ofInt32(new int[]{1, -2, 3})));
        w.put("t.u8s", GgufValue.ofArray(new GgufArray(GgufValueType.UINT8, new int[]{0, 255})));
        w.put("t.u64s", GgufValue.ofArray(new GgufArray(GgufValueType.UINT64, new long[]{-1L, 7})));
        w.put("t.bools", GgufValue.ofArray(new GgufArray(GgufValueType.BOOL, new boolean[]{true, false})));
        w.put("t.f64s", GgufValue.ofArray(new GgufArray(GgufValueType.FLOAT64, new double[]{1.25, -0.0})));
        w.put("t.nested", GgufValue.ofArray(new GgufArray(GgufValueType.ARRAY, new GgufArray[]{
                GgufArray.ofInt32(new int[]{1}), GgufArray.ofStrings(new String[]{"x", "y"})})));
        w.addTensor("a.f32", GgmlType.F32, 8, 3);
        w.addTensor("b.q8_0", GgmlType.Q8_0, 64, 2);
        w.addTensor("c.f16", GgmlType.F16, 5);
        return w;
    }

    /** Random tensor bytes, reproducible from the tensor's name (so copies can be compared). */
    public static GgufWriter.TensorData randomData() {
        return (t, sink) -> {
            byte[] b = new byte[(int) t.byteSize()];
            SplittableRandom r = new SplittableRandom(t.name().hashCode());
            for (int i = 0; i < b.length; i++) b[i] = (byte) r.nextInt(256);
            if (t.type() == GgmlType.Q8_0) {
                for (int i = 0; i < b.length; i += 34) { b[i] = 0x00; b[i + 1] = 0x3C; } // finite f16 scales (1.0)
            }
            if (t.type() == GgmlType.F32) {
                for (int i = 0; i < b.length; i += 4) b[i + 3] = (byte) (b[i + 3] & 0x3F); // finite floats
            }
            if (t.type() == GgmlType.F16) {
                for (int i = 0; i < b.length; i += 2) b[i + 1] = (byte) (b[i + 1] & 0x3B);
            }
            sink.write(b);
        };
    }

    public static byte[] bytes(GgufWriter w, GgufWriter.TensorData data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(Channels.newChannel(out), data);
        return out.toByteArray();
    }

    public static byte[] everyTypeFile() throws IOException { return bytes(everyTypeWriter(), randomData()); }

    public static Path write(Path path, byte[] bytes) throws IOException {
        Files.write(path, bytes);
        return path;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    public static String sha256(Path file) throws IOException { return sha256(Files.readAllBytes(file)); }

    /** A little-endian byte builder for hand-made (broken) files. */
    public static final class Raw {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Raw u32(long v) { return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array()); }

        public Raw u64(long v) { return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array()); }

        public Raw u8(int v) {
            out.write(v);
            return this;
        }

        public Raw str(String s) {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return u64(b.length).put(b);
        }

        public Raw put(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        public Raw header(long tensors, long kvs) { return u32(GgufFile.MAGIC).u32(3).u64(tensors).u64(kvs); }

        public Raw padTo(int alignment) {
            while (out.size() % alignment != 0) out.write(0);
            return this;
        }

        public int size() { return out.size(); }

        public byte[] bytes() { return out.toByteArray(); }
    }
}
