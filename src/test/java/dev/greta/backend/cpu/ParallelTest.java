package dev.greta.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnceInManyBackToBackTasks() {
        for (int threads : new int[]{1, 2, 3, 4}) {
            try (Parallel pool = new Parallel(threads)) {
                for (int size : new int[]{1, 2, 7, 64, 1000}) {
                    for (int grain : new int[]{1, 4, 16}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(size);
                        for (int round = 0; round < 50; round++) {
                            pool.forRange(size, grain, (from, to, worker) -> {
                                for (int i = from; i < to; i++) hits.incrementAndGet(i);
                            });
                        }
                        for (int i = 0; i < size; i++) assertThat(hits.get(i)).as("index %d of %d", i, size).isEqualTo(50);
                    }
                }
            }
        }
    }

    @Test
    void claimedChunksCoverEveryIndexOnceAlsoBetweenStaticTasks() {
        for (int threads : new int[]{1, 2, 3, 4}) {
            try (Parallel pool = new Parallel(threads)) {
                for (int size : new int[]{1, 2, 7, 64, 1000}) {
                    for (int chunk : new int[]{1, 3, 16}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(size);
                        for (int round = 0; round < 20; round++) {
                            pool.forChunks(size, chunk, (from, to, worker) -> {
                                assertThat(to - from).isBetween(1, threads == 1 ? size : chunk);
                                for (int i = from; i < to; i++) hits.incrementAndGet(i);
                            });
                            // static and claimed tasks alternate: a worker late for one must not run the next one's work twice
                            pool.forRange(size, 1, (from, to, worker) -> {
                                for (int i = from; i < to; i++) hits.incrementAndGet(i);
                            });
                        }
                        for (int i = 0; i < size; i++) assertThat(hits.get(i)).as("index %d of %d", i, size).isEqualTo(40);
                    }
                }
            }
        }
    }

    @Test
    void aFailureInAClaimedChunkReachesTheCaller() {
        try (Parallel pool = new Parallel(2)) {
            assertThatThrownBy(() -> pool.forChunks(100, 1, (from, to, worker) -> {
                if (from == 57) throw new IllegalStateException("boom at 57");
            })).hasMessage("boom at 57");
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            pool.forChunks(100, 7, (from, to, worker) -> {
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < 100; i++) assertThat(hits.get(i)).isEqualTo(1);
            assertThatThrownBy(() -> pool.forChunks(10, 0, (from, to, worker) -> {})).hasMessageContaining("chunk must be >= 1");
        }
    }

    @Test
    void slicesDependOnlyOnSizeGrainAndThreadCount() {
        assertThat(Parallel.sliceStart(100, 16, 2, 0)).isZero();
        assertThat(Parallel.sliceStart(100, 16, 2, 1)).isEqualTo(48);
        assertThat(Parallel.sliceStart(100, 16, 2, 2)).isEqualTo(100);
        assertThat(Parallel.sliceStart(10, 1, 4, 3)).isEqualTo(7);
    }

    @Test
    void aWorkersFailureReachesTheCallerAndThePoolKeepsWorking() {
        try (Parallel pool = new Parallel(2)) {
            assertThatThrownBy(() -> pool.forRange(10, 1, (from, to, worker) -> {
                if (worker == 1) throw new IllegalStateException("boom in worker 1");
            })).hasMessage("boom in worker 1");
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            pool.forRange(10, 1, (from, to, worker) -> {
                for (int i = from; i < to; i++) hits.incrementAndGet(i);
            });
            for (int i = 0; i < 10; i++) assertThat(hits.get(i)).isEqualTo(1);
        }
    }

    @Test
    void aClosedPoolRefusesWork() {
        Parallel pool = new Parallel(2);
        pool.close();
        assertThatThrownBy(() -> pool.forRange(10, 1, (from, to, worker) -> {})).hasMessageContaining("closed");
    }
}
