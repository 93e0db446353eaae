package lenet5.safety;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one case on a worker thread and waits at most a time bound, so a hang is reported
 * rather than waited on. Errors (StackOverflowError, OutOfMemoryError) are caught on the worker
 * and reported like exceptions. A worker that overruns is abandoned (it is a daemon) and the
 * next case gets a fresh one.
 */
final class Guard implements AutoCloseable {
    private final long timeoutMillis;
    private ExecutorService worker = newWorker();
    private int abandoned;

    Guard(long timeoutMillis) {
        this.timeoutMillis = Math.round(timeoutMillis * loadFactor());
    }

    /**
     * The time bounds are promises for an otherwise idle machine. When other processes keep every
     * core busy (load average above the core count), the bound stretches by the same factor, at
     * most 10x, so a shared build machine does not turn a fast refusal into a false timeout; a
     * hang still fails.
     */
    static double loadFactor() {
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        int cores = Runtime.getRuntime().availableProcessors();
        return load <= cores ? 1.0 : Math.min(10.0, load / cores);
    }

    /** Runs {@code task}; a normal return is LOADED, a throwable REFUSED or CRASHED, an overrun TIMED_OUT. */
    Outcome run(Callable<?> task) {
        long t0 = System.nanoTime();
        Future<Throwable> f = worker.submit(() -> {
            try {
                task.call();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        try {
            Throwable error = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return Outcome.of(error, System.nanoTime() - t0);
        } catch (TimeoutException e) {
            // Tell a slow case from a hang: give it a while longer before abandoning the thread.
            String detail;
            try {
                Throwable late = f.get(10L * timeoutMillis, TimeUnit.MILLISECONDS);
                detail = String.format("slow: finished after %.1f s with %s", (System.nanoTime() - t0) / 1e9,
                        late == null ? "success" : late.getClass().getName());
            } catch (TimeoutException e2) {
                f.cancel(true);
                worker.shutdownNow();
                worker = newWorker();
                abandoned++;
                detail = String.format("hang: still running after %.1f s (thread abandoned)", (System.nanoTime() - t0) / 1e9);
            } catch (InterruptedException | ExecutionException e2) {
                detail = "interrupted: " + e2;
            }
            return Outcome.timedOut(System.nanoTime() - t0, detail);
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    int abandoned() {
        return abandoned;
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lenet5-safety-worker");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
