package lenet5.image;

import lenet5.InvalidInputException;
import lenet5.testing.DigitImages;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {
    private static final lenet5.tensor.Shape MNIST = lenet5.tensor.Shape.chw(1, 28, 28);

    private static float[] reference() {
        return ImagePreprocessor.forInput(MNIST).apply(DigitImages.BLACK_ON_WHITE.render(DigitImages.digits(), 5));
    }

    @Test
    void sixteenBitGrayPaletteGifAndBmpGiveTheSameInput() {
        BufferedImage digit = DigitImages.BLACK_ON_WHITE.render(DigitImages.digits(), 5);
        BufferedImage gray16 = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        byte[] cmap = new byte[256];
        for (int i = 0; i < 256; i++) {
            cmap[i] = (byte) i;
        }
        BufferedImage palette = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, cmap, cmap, cmap));
        BufferedImage rgb = new BufferedImage(28, 28, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = digit.getRaster().getSample(x, y, 0);
                gray16.getRaster().setSample(x, y, 0, v * 257);
                palette.getRaster().setSample(x, y, 0, v);
                rgb.getRaster().setPixel(x, y, new int[] {v, v, v});
            }
        }
        float[] want = reference();
        assertClose(want, decode(DigitImages.encode(gray16, "png")), "16-bit PNG");
        assertClose(want, decode(DigitImages.encode(palette, "gif")), "palette GIF");
        assertClose(want, decode(DigitImages.encode(palette, "png")), "palette PNG");
        assertClose(want, decode(DigitImages.encode(rgb, "bmp")), "BMP");
    }

    private static float[] decode(byte[] file) {
        return ImagePreprocessor.forInput(MNIST).apply(ImageDecoder.read(file));
    }

    private static void assertClose(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5f, what + " at " + i);
        }
    }

    @Test
    void decompressionBombIsRefusedFromTheHeader() {
        // A real 1x1 PNG whose IHDR is rewritten to declare 30000x30000 (CRC fixed): a few hundred bytes.
        byte[] png = DigitImages.encode(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY), "png");
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, 30000).putInt(20, 30000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        InvalidInputException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                () -> assertThrows(InvalidInputException.class, () -> ImageDecoder.read(png)));
        assertTrue(e.getMessage().contains("30000x30000") && e.getMessage().contains("refused before decoding"), e.getMessage());
    }

    @Test
    void brokenInputsAreClearErrors() {
        byte[] png = DigitImages.BLACK_ON_WHITE.file(DigitImages.digits(), 0);
        InvalidInputException truncated = assertThrows(InvalidInputException.class, () -> ImageDecoder.read(Arrays.copyOf(png, png.length / 2)));
        assertTrue(truncated.getMessage().startsWith("not a readable png image"), truncated.getMessage());
        InvalidInputException text = assertThrows(InvalidInputException.class, () -> ImageDecoder.read("hello, world".getBytes()));
        assertTrue(text.getMessage().contains("not an image") && text.getMessage().contains("68 65 6c"), text.getMessage());
        InvalidInputException empty = assertThrows(InvalidInputException.class, () -> ImageDecoder.read(new byte[0]));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        InvalidInputException missing = assertThrows(InvalidInputException.class, () -> ImageDecoder.read(java.nio.file.Path.of("no/such.png")));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    }

    @Test
    void suffixesIncludeTheCommonFormats() {
        assertTrue(ImageDecoder.suffixes().containsAll(java.util.List.of("png", "jpg", "jpeg", "bmp", "gif")), ImageDecoder.suffixes().toString());
        assertTrue(ImageDecoder.hasImageSuffix(java.nio.file.Path.of("a/B.PNG")));
        assertTrue(!ImageDecoder.hasImageSuffix(java.nio.file.Path.of("a/b.txt")));
    }
}
