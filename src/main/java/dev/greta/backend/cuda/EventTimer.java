package dev.greta.backend.cuda;

import dev.greta.backend.OpTiming;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-op device timings: when enabled, each op records a CUDA event before and after its work on the stream;
 * the elapsed times are read (after a stream synchronisation) only when asked for, so timing adds no host
 * waits to the ops themselves. Events are pooled.
 */
final class EventTimer implements AutoCloseable {
    private static final int MAX_PENDING = 8192;
    private final CudaDevice device;
    private final ArrayDeque<MemorySegment> pool = new ArrayDeque<>();
    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, OpTiming> totals = new LinkedHashMap<>();
    private final List<MemorySegment> all = new ArrayList<>();
    private boolean enabled;

    private record Pending(String op, MemorySegment start, MemorySegment end) {
    }

    EventTimer(CudaDevice device, boolean enabled) {
        this.device = device;
        this.enabled = enabled;
    }

    void enable(boolean on) { enabled = on; }

    /** Marks the start of an op on the stream; null when timing is off. */
    MemorySegment start() {
        if (!enabled) return null;
        MemorySegment event = take();
        device.driver.record(event, device.stream());
        return event;
    }

    /** Marks the end of the op {@code start} began (a no-op for null). */
    void stop(String op, MemorySegment start) {
        if (start == null) return;
        MemorySegment end = take();
        device.driver.record(end, device.stream());
        pending.add(new Pending(op, start, end));
        if (pending.size() >= MAX_PENDING) drain();
    }

    Map<String, OpTiming> snapshot() {
        drain();
        return Collections.unmodifiableMap(new LinkedHashMap<>(totals));
    }

    void reset() {
        drain();
        totals.clear();
    }

    private void drain() {
        if (pending.isEmpty()) return;
        device.synchronize();
        for (Pending p : pending) {
            double ms = device.driver.elapsedMillis(p.start, p.end);
            totals.merge(p.op, new OpTiming(1, ms), (a, b) -> a.plus(b.totalMillis()));
            pool.add(p.start);
            pool.add(p.end);
        }
        pending.clear();
    }

    private MemorySegment take() {
        MemorySegment event = pool.poll();
        if (event == null) {
            event = device.driver.createEvent(CudaDriver.CU_EVENT_DEFAULT);
            all.add(event);
        }
        return event;
    }

    @Override
    public void close() {
        pending.clear();
        for (MemorySegment event : all) device.driver.destroyEvent(event);
        all.clear();
        pool.clear();
    }
}
