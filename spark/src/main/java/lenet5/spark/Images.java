package lenet5.spark;

import lenet5.model.Predictor;
import org.apache.spark.sql.Row;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/** Image cells (encoded bytes, Spark's image struct) to model inputs, through the CLI's preprocessing. */
final class Images {
    private Images() {
    }

    static String fromBytes(byte[] bytes, Predictor p, float[] dst, int offset) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            return "not a readable image: " + e.getMessage();
        }
        if (img == null) {
            return "not an image in a format this JVM decodes (PNG, JPEG, BMP, GIF), " + bytes.length + " bytes";
        }
        return preprocess(img, p, dst, offset);
    }

    /** Spark's image source stores OpenCV-style interleaved bytes: gray, BGR or BGRA, row by row. */
    static String fromImageStruct(Row row, Predictor p, float[] dst, int offset) {
        int h = row.getInt(row.fieldIndex("height"));
        int w = row.getInt(row.fieldIndex("width"));
        int c = row.getInt(row.fieldIndex("nChannels"));
        byte[] data = (byte[]) row.get(row.fieldIndex("data"));
        if (h <= 0 || w <= 0 || data == null || data.length == 0) {
            return "the image data source could not decode this file (height " + h + ", width " + w + ")";
        }
        int type = switch (c) {
            case 1 -> BufferedImage.TYPE_BYTE_GRAY;
            case 3 -> BufferedImage.TYPE_3BYTE_BGR;
            case 4 -> BufferedImage.TYPE_4BYTE_ABGR;
            default -> -1;
        };
        if (type < 0 || (long) h * w * c != data.length) {
            return "image struct of " + h + "x" + w + "x" + c + " does not match its " + data.length + " data bytes";
        }
        BufferedImage img = new BufferedImage(w, h, type);
        byte[] raster = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        if (c == 4) {
            // BGRA (Spark) to ABGR (AWT)
            for (int i = 0; i < h * w; i++) {
                raster[4 * i] = data[4 * i + 3];
                System.arraycopy(data, 4 * i, raster, 4 * i + 1, 3);
            }
        } else {
            System.arraycopy(data, 0, raster, 0, data.length);
        }
        return preprocess(img, p, dst, offset);
    }

    // TODO(i11): replace by the CLI's public preprocessing API once it lands.
    private static String preprocess(BufferedImage img, Predictor p, float[] dst, int offset) {
        var shape = p.inputShape();
        if (shape.flat() || shape.channels() != 1 || img.getWidth() != shape.width() || img.getHeight() != shape.height()) {
            return "image of " + img.getWidth() + "x" + img.getHeight() + " does not fit the model input " + shape;
        }
        BufferedImage gray = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        gray.getGraphics().drawImage(img, 0, 0, null);
        byte[] px = ((DataBufferByte) gray.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            dst[offset + i] = (px[i] & 0xff) / 255f;
        }
        return null;
    }
}
