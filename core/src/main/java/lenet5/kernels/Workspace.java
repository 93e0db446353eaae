package lenet5.kernels;

/**
 * Scratch memory for running one {@link Plan} on one thread. Allocated once; running a plan
 * allocates nothing else.
 */
public final class Workspace {
    /** Kernels may read a few floats past a row (garbage lanes that are then dropped). */
    private static final int SLACK = 64;

    final float[] a, b;
    final float[] conv;
    /** Per-image convolution tiles ({@link Kernels#imageRows} rows of {@link #tileRow} floats) and the parts of a fused pool. */
    final float[] tile;
    final int tileRow;
    /** A block of MR rows when fewer are real (the vector kernels always write 6 or 8). */
    final float[] spill;
    /** The scalar kernels' accumulator rows ({@link Kernels#imageRows}) and tap or weight rows (5). */
    final float[][] tmp;
    /** {@link Kernels#gemv} outputs, a row per image of a chunk. */
    final float[][] vecs;

    Workspace(int maxSize, int convScratch, int tileLanes, int runLanes, int tileSize, int gemvOut, int imageRows) {
        this.a = new float[maxSize * Plan.LANES + SLACK];
        this.b = new float[maxSize * Plan.LANES + SLACK];
        this.conv = new float[convScratch + SLACK];
        this.tileRow = tileLanes;
        this.tile = new float[Math.max(imageRows * tileLanes, tileSize)];
        this.spill = new float[Kernels.MR * tileLanes];
        this.tmp = new float[imageRows + 5][];
        this.vecs = new float[Plan.LANES][];
        rows(tmp, Math.max(Math.max(tileLanes, runLanes), gemvOut));
        rows(vecs, Math.max(gemvOut, Kernels.LANE_MULTIPLE));
    }

    /**
     * Rows allocated back to back, each a whole number of 64-byte lines long with its 16-byte
     * header (HotSpot's float[] with compressed class pointers): they then all start at the same
     * offset within a line, so the plain kernels' vectorized loops over several rows are aligned
     * together or not at all, rather than some rows' accesses splitting lines in one JVM and not in the next.
     */
    private static void rows(float[][] rows, int len) {
        int floats = len + Math.floorMod(12 - len, 16);
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new float[floats];
        }
    }
}
