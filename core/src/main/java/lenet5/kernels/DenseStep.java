package lenet5.kernels;

import lenet5.layers.Activation;
import lenet5.tensor.Shape;

/**
 * {@code y = act(W x + b)}. Batched, it is a convolution tile whose taps are the input features
 * (the images are the lanes), or with the scalar kernels a {@link Kernels#gemv} over the chunk's
 * images; per image, a gemv over transposed weights, whose output is padded to a whole number of vectors. Also runs a convolution whose kernel covers its
 * whole unpadded input (LeNet-5's 5x5 conv on a 5x5 map), since NCHW flattening matches.
 */
final class DenseStep extends Step {
    private final int inF, outF, outP;
    private final int[] tapsBatch;
    private final float[] packed;
    private final float[] bias;
    private final float[][] wT;
    /** {@link #wT} as the kernels' {@link Kernels#gemvPanels}, or null. */
    private final float[] panels;
    private final float[] biasP;
    private final Activation.Function act;

    /** @param weight row-major (out, in) */
    DenseStep(float[] weight, float[] biasOrNull, Shape in, Shape out, Activation.Function act, int lastLayer, Kernels k) {
        super(in, out, lastLayer);
        this.inF = in.size();
        this.outF = out.size();
        this.outP = roundUp(outF, Kernels.LANE_MULTIPLE);
        this.act = act;
        this.tapsBatch = new int[inF];
        for (int t = 0; t < inF; t++) {
            tapsBatch[t] = t * Plan.LANES;
        }
        this.packed = ConvStep.pack(weight, outF, inF);
        this.bias = ConvStep.padBias(biasOrNull, outF);
        this.wT = new float[inF][outP];
        for (int o = 0; o < outF; o++) {
            for (int i = 0; i < inF; i++) {
                wT[i][o] = weight[o * inF + i];
            }
        }
        this.panels = k.gemvPanels(wT, outP);
        this.biasP = new float[outP];
        System.arraycopy(bias, 0, biasP, 0, outF);
    }

    @Override
    void forward(float[] src, float[] dst, int lanes, Kernels k, Workspace ws) {
        if (lanes == 1 || k.denseByImage()) {
            k.gemv(src, 0, lanes, lanes, inF, wT, panels, biasP, outP, ws);
            for (int b = 0; b < lanes; b++) {
                float[] y = ws.vecs[b];
                activate(k, act, y, 0, outF);
                for (int o = 0; o < outF; o++) {
                    dst[o * lanes + b] = y[o];
                }
            }
            return;
        }
        int kernelAct = kernelAct(act);
        for (int c0 = 0; c0 < outF; c0 += Kernels.MR) {
            k.convTile(src, 0, tapsBatch, inF, packed, c0 * inF, bias, c0, Math.min(Kernels.MR, outF - c0), Plan.LANES,
                    kernelAct, dst, c0 * Plan.LANES, Plan.LANES, ws);
        }
        if (kernelAct == Kernels.ACT_NONE) {
            activate(k, act, dst, 0, outF * Plan.LANES);
        }
    }

    @Override
    int gemvOut() {
        return outP;
    }
}
