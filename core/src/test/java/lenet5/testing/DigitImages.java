package lenet5.testing;

import lenet5.io.Idx;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The committed MNIST test digits (testdata/mnist, the 2,000-image split of testdata/generate.py)
 * rendered as image files the way people hold digits, for the accuracy tests of image input.
 * Shared through core's test-jar (the CLI and the server are tested on the same files).
 */
public enum DigitImages {
    /** 28x28 gray PNG, black ink on white paper. */
    BLACK_ON_WHITE("png"),
    /** Upscaled 4x (bilinear) onto a 180x150 white page with wide uneven margins. */
    UPSCALED_MARGINS("png"),
    /** MNIST's white on black, off-centre in the corner of a 100x100 image. */
    OFF_CENTRE("png"),
    /** Upscaled 3x, black on white, JPEG quality 75. */
    JPEG_Q75("jpg"),
    /** Dark blue ink on yellowish paper, 24-bit RGB. */
    RGB("png"),
    /** Black ink whose alpha is the pixel, on a transparent background (a canvas export). */
    ALPHA("png");

    public final String extension;

    DigitImages(String extension) {
        this.extension = extension;
    }

    public static Idx.Images digits() {
        return Idx.readImages(TestFiles.testdata().resolve("mnist/test-images-idx3-ubyte.gz"));
    }

    public static int[] labels() {
        return Idx.readLabels(TestFiles.testdata().resolve("mnist/test-labels-idx1-ubyte.gz"));
    }

    /** 2,000 other digits of the same MNIST package, not in the test split (testdata/images/make_images.py). */
    public static Idx.Images heldOut() {
        return Idx.readImages(TestFiles.testdata().resolve("images/heldout-images-idx3-ubyte.gz"));
    }

    public static int[] heldOutLabels() {
        return Idx.readLabels(TestFiles.testdata().resolve("images/heldout-labels-idx1-ubyte.gz"));
    }

    /** Digit {@code i} of {@code images} rendered in this style and encoded as {@link #extension}. */
    public byte[] file(Idx.Images images, int i) {
        return encode(render(images, i), extension);
    }

    public BufferedImage render(Idx.Images images, int i) {
        int side = images.rows();
        int[] ink = new int[side * side];
        for (int k = 0; k < ink.length; k++) {
            ink[k] = images.pixels()[i * ink.length + k] & 0xff;
        }
        BufferedImage gray = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage inverted = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        // Java2D draws gray images through a linear colour space (changing their tones), so pages are drawn in RGB.
        BufferedImage invertedRgb = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        BufferedImage grayRgb = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < ink.length; k++) {
            gray.getRaster().setSample(k % side, k / side, 0, ink[k]);
            inverted.getRaster().setSample(k % side, k / side, 0, 255 - ink[k]);
            invertedRgb.setRGB(k % side, k / side, (255 - ink[k]) * 0x010101);
            grayRgb.setRGB(k % side, k / side, ink[k] * 0x010101);
        }
        return switch (this) {
            case BLACK_ON_WHITE -> inverted;
            case UPSCALED_MARGINS -> onto(invertedRgb, 180, 150, 40, 20, 4, Color.WHITE);
            case OFF_CENTRE -> onto(grayRgb, 100, 100, 3, 66, 1, Color.BLACK);
            case JPEG_Q75 -> onto(invertedRgb, 84, 84, 0, 0, 3, Color.WHITE);
            case RGB -> {
                BufferedImage rgb = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
                for (int k = 0; k < ink.length; k++) {
                    float a = ink[k] / 255f;
                    int r = Math.round(250 + a * (20 - 250)), g = Math.round(240 + a * (30 - 240)), b = Math.round(200 + a * (120 - 200));
                    rgb.setRGB(k % side, k / side, (r << 16) | (g << 8) | b);
                }
                yield rgb;
            }
            case ALPHA -> {
                BufferedImage argb = new BufferedImage(side, side, BufferedImage.TYPE_INT_ARGB);
                for (int k = 0; k < ink.length; k++) {
                    argb.setRGB(k % side, k / side, ink[k] << 24);
                }
                yield argb;
            }
        };
    }

    private static BufferedImage onto(BufferedImage digit, int w, int h, int x, int y, int scale, Color paper) {
        BufferedImage page = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = page.createGraphics();
        g.setColor(paper);
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(digit, x, y, digit.getWidth() * scale, digit.getHeight() * scale, null);
        g.dispose();
        return page;
    }

    public static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (format.equals("jpg")) {
                ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.75f);
                try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(img, null, null), param);
                } finally {
                    writer.dispose();
                }
            } else if (!ImageIO.write(img, format, bytes)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
