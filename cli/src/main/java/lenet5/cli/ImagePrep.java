package lenet5.cli;

import lenet5.image.Normalization;

/**
 * What {@code predict --images} does to grayscale digits before the model sees them, the way
 * torchvision's transforms would: bilinear resize to N x N ({@code Resize(N)} on a tensor:
 * half-pixel centres, edge pixels repeated), zero padding on every side ({@code Pad(N)}), then
 * {@code Normalize(mean, std)} ({@link Normalization}). A model file records none of these. (Unlike
 * {@code lenet5.image}'s resampling for photos, the edges repeat, as torchvision's do.)
 */
record ImagePrep(int rows, int cols, int resize, int pad, Normalization normalization) {
    private static final int MAX_SIDE = 4096;

    static ImagePrep of(int rows, int cols, Integer resize, Integer pad, String normalize) {
        Normalization n;
        try {
            n = normalize == null ? Normalization.NONE : Normalization.parse(normalize);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--normalize: " + e.getMessage());
        }
        if (resize != null && (resize < 1 || resize > MAX_SIDE)) {
            throw new IllegalArgumentException("--resize must be 1.." + MAX_SIDE + ", got " + resize);
        }
        if (pad != null && (pad < 0 || pad > MAX_SIDE)) {
            throw new IllegalArgumentException("--pad must be 0.." + MAX_SIDE + ", got " + pad);
        }
        return new ImagePrep(rows, cols, resize == null ? -1 : resize, pad == null ? 0 : pad, n);
    }

    int height() {
        return (resize > 0 ? resize : rows) + 2 * pad;
    }

    int width() {
        return (resize > 0 ? resize : cols) + 2 * pad;
    }

    boolean changesSize() {
        return resize > 0 || pad > 0;
    }

    /** {@code count} images of rows x cols, row-major, to {@code count} images of height() x width(). */
    float[] apply(float[] images, int count) {
        int h = height(), w = width();
        int rh = resize > 0 ? resize : rows, rw = resize > 0 ? resize : cols;
        float[] out = new float[Math.multiplyExact(count, Math.multiplyExact(h, w))];
        float[] resized = new float[rh * rw];
        for (int n = 0; n < count; n++) {
            int src = n * rows * cols;
            if (resize > 0) {
                bilinear(images, src, rows, cols, resized, rh, rw);
            } else {
                System.arraycopy(images, src, resized, 0, rows * cols);
            }
            int dst = n * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int sy = y - pad, sx = x - pad;
                    out[dst + y * w + x] = sy >= 0 && sy < rh && sx >= 0 && sx < rw ? resized[sy * rw + sx] : 0f;
                }
            }
        }
        normalization.apply(out, 0, out.length);
        return out;
    }

    /** PyTorch's upsample_bilinear2d with align_corners=False. */
    private static void bilinear(float[] in, int off, int ih, int iw, float[] out, int oh, int ow) {
        for (int y = 0; y < oh; y++) {
            float sy = Math.max(0f, ((float) ih / oh) * (y + 0.5f) - 0.5f);
            int y0 = (int) sy;
            int y1 = y0 < ih - 1 ? y0 + 1 : y0;
            float ly = sy - y0;
            for (int x = 0; x < ow; x++) {
                float sx = Math.max(0f, ((float) iw / ow) * (x + 0.5f) - 0.5f);
                int x0 = (int) sx;
                int x1 = x0 < iw - 1 ? x0 + 1 : x0;
                float lx = sx - x0;
                float top = (1 - lx) * in[off + y0 * iw + x0] + lx * in[off + y0 * iw + x1];
                float bottom = (1 - lx) * in[off + y1 * iw + x0] + lx * in[off + y1 * iw + x1];
                out[y * ow + x] = (1 - ly) * top + ly * bottom;
            }
        }
    }
}
