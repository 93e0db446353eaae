package lenet5.spark;

import lenet5.Lenet5Exception;
import lenet5.image.ImageDecoder;
import lenet5.image.ImagePreprocessor;
import org.apache.spark.sql.Row;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/** Image cells (encoded bytes, Spark's image struct) to model inputs, through the CLI's decoder and preprocessing. */
final class Images {
    private Images() {
    }

    static String fromBytes(byte[] bytes, ImagePreprocessor pre, float[] dst, int offset) {
        try {
            pre.apply(ImageDecoder.read(bytes), dst, offset);
            return null;
        } catch (Lenet5Exception e) {
            return e.getMessage() + " (" + bytes.length + " bytes)";
        }
    }

    /** Spark's image source stores OpenCV-style interleaved bytes: gray, BGR or BGRA, row by row. */
    static String fromImageStruct(Row row, ImagePreprocessor pre, float[] dst, int offset) {
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
        try {
            pre.apply(img, dst, offset);
            return null;
        } catch (Lenet5Exception e) {
            return e.getMessage();
        }
    }
}
