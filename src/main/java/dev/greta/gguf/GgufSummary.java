package dev.greta.gguf;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything {@code greta gguf show} reports about a file, as plain records (Jackson serialises them for
 * {@code --json}) with a text rendering. Arrays longer than {@link #ARRAY_PREVIEW} items are summarised by
 * their type, length and first items.
 */
public record GgufSummary(String file, long fileSize, int version, int tensorCount, int metadataCount, int alignment,
                          long dataOffset, List<Entry> metadata, List<TensorRow> tensors, List<TypeTotal> totals,
                          long totalElements, long totalBytes) {

    public static final int ARRAY_PREVIEW = 16;
    private static final int ARRAY_HEAD = 8;

    /** One metadata key. For a summarised array {@code value} holds only its first items and {@code truncated} is set. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String key, String type, JsonNode value, Integer length, Boolean truncated) {}

    public record TensorRow(String name, String type, long[] shape, long offset, long bytes) {}

    public record TypeTotal(String type, int tensors, long elements, long bytes) {}

    public static GgufSummary of(GgufFile f) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, GgufValue> kv : f.metadata().asMap().entrySet()) entries.add(entry(kv.getKey(), kv.getValue()));
        List<TensorRow> rows = new ArrayList<>();
        TreeMap<GgmlType, long[]> byType = new TreeMap<>();
        long elements = 0;
        long bytes = 0;
        for (GgufTensor t : f.tensors()) {
            rows.add(new TensorRow(t.name(), t.type().name(), t.dims(), t.offset(), t.byteSize()));
            long[] total = byType.computeIfAbsent(t.type(), k -> new long[3]);
            total[0]++;
            total[1] += t.elementCount();
            total[2] += t.byteSize();
            elements += t.elementCount();
            bytes += t.byteSize();
        }
        List<TypeTotal> totals = new ArrayList<>();
        byType.forEach((type, total) -> totals.add(new TypeTotal(type.name(), (int) total[0], total[1], total[2])));
        return new GgufSummary(f.path().toString(), f.fileSize(), f.version(), rows.size(), entries.size(), f.alignment(),
                f.dataOffset(), entries, rows, totals, elements, bytes);
    }

    private static Entry entry(String key, GgufValue v) {
        String type = GgufValueText.describeType(v);
        if (v.type() != GgufValueType.ARRAY) return new Entry(key, type, GgufValueText.json(v), null, null);
        GgufArray a = (GgufArray) v.value();
        if (a.length() <= ARRAY_PREVIEW) return new Entry(key, type, GgufValueText.json(a), a.length(), null);
        return new Entry(key, type, GgufValueText.json(a, ARRAY_HEAD), a.length(), true);
    }

    /** The human-readable report. */
    public void render(PrintWriter out) {
        out.printf(Locale.ROOT, "%s: GGUF v%d, %s%n", file, version, bytes(fileSize));
        out.printf(Locale.ROOT, "  tensors %d, metadata keys %d, alignment %d, data offset %d%n",
                tensorCount, metadataCount, alignment, dataOffset);
        out.println();
        out.println("Metadata:");
        int keyWidth = metadata.stream().mapToInt(e -> e.key().length()).max().orElse(3);
        int typeWidth = metadata.stream().mapToInt(e -> e.type().length()).max().orElse(4);
        for (Entry e : metadata) {
            out.printf(Locale.ROOT, "  %-" + keyWidth + "s  %-" + typeWidth + "s  %s%n", e.key(), e.type(), shown(e));
        }
        out.println();
        out.println("Tensors:");
        int nameWidth = Math.max(4, tensors.stream().mapToInt(t -> t.name().length()).max().orElse(4));
        String rowFormat = "  %-" + nameWidth + "s  %-5s  %-22s  %14s  %14s%n";
        out.printf(Locale.ROOT, rowFormat, "name", "type", "shape", "offset", "bytes");
        for (TensorRow t : tensors) {
            out.printf(Locale.ROOT, rowFormat, t.name(), t.type(), java.util.Arrays.toString(t.shape()), t.offset(), t.bytes());
        }
        out.println();
        out.println("Totals by type:");
        for (TypeTotal t : totals) {
            out.printf(Locale.ROOT, "  %-5s  %5d tensors  %,16d elements  %,16d bytes%n", t.type(), t.tensors(), t.elements(), t.bytes());
        }
        out.printf(Locale.ROOT, "  %-5s  %5d tensors  %,16d elements  %,16d bytes (%s)%n", "all", tensorCount, totalElements,
                totalBytes, bytes(totalBytes));
        out.flush();
    }

    private static String shown(Entry e) {
        String value = e.value().toString();
        if (e.value().isArray() && Boolean.TRUE.equals(e.truncated())) {
            value = value.substring(0, value.length() - 1) + ", ... " + (e.length() - ARRAY_HEAD) + " more]";
        }
        return value;
    }

    private static String bytes(long n) {
        if (n < 1024) return n + " bytes";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
