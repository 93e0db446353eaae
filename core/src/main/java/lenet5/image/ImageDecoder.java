package lenet5.image;

import lenet5.InvalidInputException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads image files with ImageIO (PNG, JPEG, BMP, GIF, WBMP, plus any plugin on the class path,
 * e.g. TwelveMonkeys for CMYK JPEG, TIFF, WebP). The size in the header is checked before any pixel
 * is decoded, so a decompression bomb (a small file declaring 30000x30000 pixels) is refused
 * cheaply. Only the first frame of an animated or multi-page file is read. Thread-safe.
 */
public final class ImageDecoder {
    /** Default limit on width x height: 40 megapixels (a large photo), 160 MB as ARGB. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    static {
        // No temporary files for streams: every image is decoded in memory, within the pixel limit.
        ImageIO.setUseCache(false);
    }

    private ImageDecoder() {
    }

    public static BufferedImage read(Path file) {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    public static BufferedImage read(Path file, long maxPixels) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file, Files.exists(file) ? "not a regular file" : "no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return decode(in, file, maxPixels);
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Decodes an image held in memory (an upload, a Spark binary column). */
    public static BufferedImage read(byte[] bytes) {
        return read(bytes, DEFAULT_MAX_PIXELS);
    }

    public static BufferedImage read(byte[] bytes, long maxPixels) {
        try {
            return decode(new ByteArrayInputStream(bytes), null, maxPixels);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read the image: " + e.getMessage());
        }
    }

    /** File name suffixes the installed ImageIO readers claim, lower case (png, jpg, jpeg, bmp, gif, ...). */
    public static Set<String> suffixes() {
        Set<String> s = new TreeSet<>();
        for (String x : ImageIO.getReaderFileSuffixes()) {
            s.add(x.toLowerCase(Locale.ROOT));
        }
        return Collections.unmodifiableSet(s);
    }

    /** Whether the file's name ends in a suffix an installed reader claims (used when walking directories). */
    public static boolean hasImageSuffix(Path file) {
        return hasImageSuffix(file, suffixes());
    }

    /** The same against suffixes looked up once (for walking many files). */
    public static boolean hasImageSuffix(Path file, Set<String> suffixes) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && suffixes.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static BufferedImage decode(InputStream in, Path file, long maxPixels) throws IOException {
        try (ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            if (iis == null) {
                throw new InvalidInputException(file, "cannot read the image stream");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new InvalidInputException(file, "not an image in a format this build reads (" + String.join(", ", suffixes())
                        + ")" + firstBytes(iis));
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                long w = reader.getWidth(0), h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new InvalidInputException(file, format + " image declares an empty size " + w + "x" + h);
                }
                if (w * h > maxPixels) {
                    throw new InvalidInputException(file, format + " image declares " + w + "x" + h + " pixels ("
                            + w * h + "), more than the limit of " + maxPixels + "; refused before decoding");
                }
                BufferedImage img = reader.read(0, reader.getDefaultReadParam());
                if (img.getWidth() != w || img.getHeight() != h) {
                    throw new InvalidInputException(file, format + " image decoded to " + img.getWidth() + "x" + img.getHeight()
                            + ", its header declares " + w + "x" + h);
                }
                return img;
            } catch (IOException | RuntimeException e) {
                if (e instanceof InvalidInputException iie) {
                    throw iie;
                }
                // ImageIO reports broken files with IIOException and, for some, with runtime exceptions.
                throw new InvalidInputException(file, "not a readable " + reader.getFormatName().toLowerCase(Locale.ROOT)
                        + " image: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static String firstBytes(ImageInputStream iis) {
        try {
            iis.seek(0);
            byte[] b = new byte[8];
            int n = iis.read(b);
            if (n <= 0) {
                return "; the input is empty";
            }
            StringBuilder sb = new StringBuilder("; the first bytes are");
            for (int i = 0; i < n; i++) {
                sb.append(String.format(" %02x", b[i]));
            }
            return sb.toString();
        } catch (IOException e) {
            return "";
        }
    }
}
