package lenet5.model;

import lenet5.kernels.Plan;
import lenet5.kernels.Workspace;
import lenet5.layout.Layout;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The helper threads of one multi-threaded {@link Predictor}. Each worker has its own workspace.
 * The caller and the workers claim chunks of {@link Plan#LANES} images one at a time, so a thread
 * the machine slows down (another process, a virtual CPU that is descheduled) takes fewer of them
 * instead of holding up the batch; every image still lands in the chunk it would have on one
 * thread, so the results are the same bits. Handing over a batch allocates nothing (no executor
 * tasks or futures), and a worker waits for the next batch spinning briefly before it parks: waking
 * a parked thread costs tens of microseconds or more on a virtual machine, per batch.
 */
final class Workers {
    /** How long a worker spins for the next batch before it parks. */
    private static final long SPIN_NANOS = 200_000;

    private final Plan plan;
    private final Layout layout;
    private final int inSize, outSize;
    private final Worker[] workers;
    private final AtomicInteger nextChunk = new AtomicInteger();
    // The batch being run: written by the caller before it posts to the workers (a volatile write).
    private float[] in, out;
    private int inOffset, outOffset, n, chunks;

    Workers(Plan plan, int count, Layout layout, int inSize, int outSize) {
        this.plan = plan;
        this.layout = layout;
        this.inSize = inSize;
        this.outSize = outSize;
        workers = new Worker[count];
        for (int i = 0; i < count; i++) {
            workers[i] = new Worker(this, plan, i);
            workers[i].start();
        }
    }

    /** Runs the batch on the caller's thread and {@code helpers} workers. */
    void run(float[] in, int inOffset, int n, float[] out, int outOffset, int helpers, Workspace own) {
        this.in = in;
        this.inOffset = inOffset;
        this.n = n;
        this.out = out;
        this.outOffset = outOffset;
        this.chunks = (n + Plan.LANES - 1) / Plan.LANES;
        nextChunk.set(0);
        Thread caller = Thread.currentThread();
        int used = Math.min(helpers, workers.length);
        for (int i = 0; i < used; i++) {
            workers[i].submit(caller);
        }
        Throwable failure = null;
        try {
            work(own);
        } catch (RuntimeException | Error e) {
            failure = e;
            nextChunk.set(chunks); // the others stop after their current chunk
        }
        for (int i = 0; i < used; i++) {
            Throwable t = workers[i].await();
            if (failure == null) {
                failure = t;
            }
        }
        this.in = null;
        this.out = null;
        if (failure instanceof RuntimeException r) {
            throw r;
        } else if (failure instanceof Error e) {
            throw e;
        }
    }

    /** Claims and runs chunks until none is left. */
    private void work(Workspace ws) {
        for (int c; (c = nextChunk.getAndIncrement()) < chunks; ) {
            int first = c * Plan.LANES;
            plan.run(in, inOffset + first * inSize, layout, Math.min(Plan.LANES, n - first), out, outOffset + first * outSize, ws);
        }
    }

    void close() {
        for (Worker w : workers) {
            w.stop = true;
            LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Workers owner;
        private final Workspace workspace;
        private volatile boolean stop;
        /** Incremented by the caller to hand over a batch, copied to {@link #finished} when it is done. */
        private volatile int posted;
        private volatile int finished;
        private Thread caller;
        private Throwable failure;

        Worker(Workers owner, Plan plan, int index) {
            super("lenet5-predictor-" + index);
            this.owner = owner;
            this.workspace = plan.newWorkspace();
            setDaemon(true);
        }

        void submit(Thread caller) {
            this.caller = caller;
            this.failure = null;
            posted = posted + 1; // volatile write publishes these fields and the batch's
            LockSupport.unpark(this);
        }

        Throwable await() {
            int target = posted;
            long start = System.nanoTime();
            while (finished != target) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            return failure;
        }

        @Override
        public void run() {
            int seen = 0;
            long idleSince = System.nanoTime();
            while (!stop) {
                int p = posted;
                if (p == seen) {
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                    continue;
                }
                try {
                    owner.work(workspace);
                } catch (RuntimeException | Error e) {
                    failure = e;
                    owner.nextChunk.set(owner.chunks);
                }
                seen = p;
                finished = p;
                LockSupport.unpark(caller);
                idleSince = System.nanoTime();
            }
        }
    }
}
