package lenet5.torch;

import lenet5.ArchitectureRequiredException;
import lenet5.LoadOptions;
import lenet5.Lenet5;
import lenet5.testing.TestFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A state_dict without the tutorial's keys is refused with a draft of its weighted modules. The
 * draft is checked against the architecture that real PyTorch ran (testdata's manifests, the wild
 * files' --arch): take that architecture's weighted layers, drop what a state_dict cannot hold
 * (stride, padding, eps, activations, pooling, dropout), and the draft is what remains.
 */
class StateDictDraftTest {
    /** Weightless modules, which a state_dict does not mention. */
    private static final String WEIGHTLESS = "(ReLU|ReLU6|LeakyReLU|ELU|GELU|SiLU|Tanh|Sigmoid|Softsign|Softplus|Hardtanh|Hardsigmoid|Hardswish|Mish"
            + "|MaxPool2d|AvgPool2d|AdaptiveAvgPool2d|AdaptiveMaxPool2d|LogSoftmax|Softmax|Dropout|Dropout2d|ZeroPad2d|Identity)";

    /** The architecture text with only what a state_dict can tell: weighted layers and their sizes, Flatten. */
    static String stateDictView(String arch) {
        String s = arch.replace(" ", "").replace("kernel_size=", "");
        String before;
        do {
            before = s;
            s = s.replaceAll(WEIGHTLESS + "\\((\\([^()]*\\)|[^()])*\\),?", "");
        } while (!s.equals(before));
        s = s.replaceAll(",(stride|padding|eps|momentum)=(\\([^()]*\\)|[^,()]+)", "");
        s = s.replaceAll("Conv2d\\((\\d+),(\\d+),\\((\\d+),\\3\\)", "Conv2d($1,$2,$3");
        s = s.replaceAll("Conv2d\\((\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)", "Conv2d($1,$2,$3)"); // positional stride, padding
        return s.replace(",)", ")");
    }

    private static ArchitectureRequiredException refusal(Path file) {
        return assertThrows(ArchitectureRequiredException.class, () -> Lenet5.load(file, LoadOptions.DEFAULTS));
    }

    @TestFactory
    Stream<DynamicTest> testdataStateDicts() {
        List<Manifest> cases = Manifest.all().stream()
                .filter(m -> m.get("variant") != null && m.get("variant").contains("state_dict") && m.get("architecture") != null)
                .filter(m -> m.stem().startsWith("layers_") || m.stem().contains("odd") || m.stem().contains("renamed"))
                .toList();
        assertFalse(cases.isEmpty());
        return cases.stream().map(m -> DynamicTest.dynamicTest(m.stem(), () -> {
            ArchitectureRequiredException e = refusal(m.model());
            assertNotNull(e.suggestion(), e.getMessage());
            assertEquals(stateDictView(m.get("architecture")), stateDictView(e.suggestion()), e.getMessage());
            assertTrue(e.getMessage().contains("a state_dict holds no stride, padding, eps, activation or pooling"), e.getMessage());
        }));
    }

    /** Files strangers published (../shared/wild), against the --arch their manifest gives (checked there against real PyTorch). */
    @TestFactory
    Stream<DynamicTest> wildStateDicts() throws IOException {
        Path dir = TestFiles.shared("wild");
        // Each case's file and --arch, read from the manifest's JSON text (this module's tests have no JSON library).
        Matcher c = Pattern.compile("\"file\": \"([^\"]+\\.pth?)\",.*?\"args\": \\[\\s*\"--arch\",\\s*\"([^\"]+)\"", Pattern.DOTALL)
                .matcher(Files.readString(dir.resolve("manifest.json")));
        List<DynamicTest> tests = new ArrayList<>();
        while (c.find()) {
            String file = c.group(1), arch = c.group(2);
            tests.add(DynamicTest.dynamicTest(file, () -> {
                ArchitectureRequiredException e = refusal(dir.resolve(file));
                assertEquals(stateDictView(arch), stateDictView(e.suggestion()), e.getMessage());
            }));
        }
        assertEquals(2, tests.size(), "the manifest's state_dicts (.pt, .pth)");
        return tests.stream();
    }

    @Test
    void theFirstLinearsInputNamesTheMapBeforeIt() {
        Path fyh = TestFiles.shared("wild").resolve("FYH620_lenet-mnist-openvino_lenet.pth");
        ArchitectureRequiredException e = refusal(fyh);
        assertEquals("Sequential(Conv2d(1, 6, kernel_size=5), Conv2d(6, 16, kernel_size=5), Flatten(), Linear(256, 120), Linear(120, 84), "
                + "Linear(84, 10))", e.suggestion());
        assertTrue(e.getMessage().contains("the first layer after Flatten() takes 256 values, 16 channels of 4x4"), e.getMessage());
    }
}
