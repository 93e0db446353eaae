package lenet5.model;

import lenet5.kernels.Plan;
import lenet5.kernels.Workspace;
import lenet5.layout.Layout;

import java.util.concurrent.locks.LockSupport;

/**
 * The helper threads of one multi-threaded {@link Predictor}. Each worker has its own workspace
 * and waits parked for a slice of a batch; handing over a batch allocates nothing (no executor
 * tasks or futures), so a batch stays allocation-free.
 */
final class Workers {
    private final Plan plan;
    private final Worker[] workers;

    Workers(Plan plan, int count) {
        this.plan = plan;
        workers = new Worker[count];
        for (int i = 0; i < count; i++) {
            workers[i] = new Worker(plan, i);
            workers[i].start();
        }
    }

    /** Slices of {@code perThread} images go to the workers; the caller runs the last slice. */
    void run(float[] in, int inOffset, Layout layout, int n, float[] out, int outOffset,
             int perThread, int inSize, int outSize, Workspace own) {
        Thread caller = Thread.currentThread();
        int start = 0, used = 0;
        for (; used < workers.length && n - start > perThread; used++, start += perThread) {
            workers[used].submit(caller, in, inOffset + start * inSize, layout, perThread, out, outOffset + start * outSize);
        }
        Throwable failure = null;
        try {
            plan.run(in, inOffset + start * inSize, layout, n - start, out, outOffset + start * outSize, own);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (int i = 0; i < used; i++) {
            Throwable t = workers[i].await();
            if (failure == null) {
                failure = t;
            }
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        } else if (failure instanceof Error e) {
            throw e;
        }
    }

    void close() {
        for (Worker w : workers) {
            w.stop = true;
            LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Plan plan;
        private final Workspace workspace;
        private volatile boolean stop;
        /** Incremented by the caller to hand over a slice, copied to {@link #finished} when it is done. */
        private volatile int posted;
        private volatile int finished;
        private Thread caller;
        private float[] in, out;
        private int inOffset, outOffset, n;
        private Layout layout;
        private Throwable failure;

        Worker(Plan plan, int index) {
            super("lenet5-predictor-" + index);
            this.plan = plan;
            this.workspace = plan.newWorkspace();
            setDaemon(true);
        }

        void submit(Thread caller, float[] in, int inOffset, Layout layout, int n, float[] out, int outOffset) {
            this.caller = caller;
            this.in = in;
            this.inOffset = inOffset;
            this.layout = layout;
            this.n = n;
            this.out = out;
            this.outOffset = outOffset;
            this.failure = null;
            posted = posted + 1; // volatile write publishes the fields above
            LockSupport.unpark(this);
        }

        Throwable await() {
            int target = posted;
            for (int spins = 0; finished != target; spins++) {
                if (spins < 1000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            Throwable t = failure;
            in = null;
            out = null;
            return t;
        }

        @Override
        public void run() {
            int seen = 0;
            while (!stop) {
                int p = posted;
                if (p == seen) {
                    LockSupport.park(this);
                    continue;
                }
                try {
                    plan.run(in, inOffset, layout, n, out, outOffset, workspace);
                } catch (RuntimeException | Error e) {
                    failure = e;
                }
                seen = p;
                finished = p;
                LockSupport.unpark(caller);
            }
        }
    }
}
