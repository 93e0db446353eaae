package lenet5.safety;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lenet5.Budget;
import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.Text;
import lenet5.UnsafeContentException;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.Pickle;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchFiles;
import lenet5.testing.Zips;
import lenet5.torch.nn.TorchSyntax;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Files built by an attacker who keeps them valid (issue 14): a few hundred bytes that reuse
 * memoized objects, nest valid constructs, declare huge but consistent sizes, link out of
 * themselves or in circles, or carry text meant for a terminal or a Python interpreter. Each
 * must, within 2 s on the safety run's 256 MB heap, load correctly or be refused with one
 * {@link Lenet5Exception} whose one-line message names the file and the true reason. Each has an
 * honest twin built the same way that loads. The HDF5 files are in testdata/hostile (made by
 * real HDF5, see make_hdf5.py). Results go to target/crafted-report.txt.
 */
@Tag("safety")
class CraftedFilesTest {
    static final long BOUND_MS = 2000;
    static final Report REPORT = new Report("Crafted files (issue 14)");
    static final Path HOSTILE = TestFiles.testdata().resolve("hostile");
    static final Sequential DENSE_2_3 = TorchSyntax.parse("Sequential(Linear(2, 3))", Shape.flat(2));

    @TempDir
    Path dir;

    @AfterAll
    static void print() {
        REPORT.print("crafted-report.txt");
    }

    // ---- 1. amplification through shared structure -------------------------------------------

    /** A tuple {@code width} times the tuple below it, {@code depth} levels, built with LONG_BINGET: width^depth leaves. */
    static void memoTuple(Pickle p, int depth, int width) {
        p.ops("(").str("leaf").ops("t").longBinput(1000);
        for (int level = 1; level <= depth; level++) {
            p.ops("0("); // POP the level below (it stays in the memo)
            for (int i = 0; i < width; i++) {
                p.longBinget(1000 + level - 1);
            }
            p.ops("t").longBinput(1000 + level);
        }
    }

    @Test
    void dictKeyBuiltByMemoReuseIsRefusedBeforeHashing() throws IOException {
        // The state_dict's BUILD state (_metadata) is a dict keyed by the tuple: 60^8 leaves hashed would never end.
        Outcome hostile = loadTorch("dict key: tuple 8 deep, 60 wide by memo reuse", stateDictWithMetadataKey(8, 60));
        assertRefused(hostile, "dict key of more than 64 parts");
        assertTrue(stateDictWithMetadataKey(8, 60).length < 4096, "a file of a few kilobytes");
        Outcome twin = loadTorch("honest twin: tuple key 2 deep, 3 wide", stateDictWithMetadataKey(2, 3));
        assertEquals(Outcome.Verdict.LOADED, twin.verdict(), twin.toString());
    }

    private static byte[] stateDictWithMetadataKey(int depth, int width) {
        return TorchFiles.zip(TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(1), false, p -> {
            p.op('}');
            memoTuple(p, depth, width);
            p.ops("Nsb"); // {key: None}, then BUILD it onto the state_dict
        }), new float[] {1});
    }

    /** torch.save(model) of Sequentials whose {@code _modules} hold the level below twice (one memoized object): a DAG. */
    static byte[] moduleDag(int depth, int children) {
        Pickle p = Pickle.proto(2);
        p.global("torch.nn.modules.activation", "Tanh").ops(")").op(0x81).op('}')
                .str("_modules").global("collections", "OrderedDict").ops(")R").ops("s").ops("b").longBinput(0);
        for (int level = 1; level <= depth; level++) {
            p.global("torch.nn.modules.container", "Sequential").ops(")").op(0x81).op('}')
                    .str("_modules").global("collections", "OrderedDict").ops(")R");
            for (int c = 0; c < children; c++) {
                p.str(Integer.toString(c)).longBinget(level - 1).ops("s");
            }
            p.ops("s").ops("b").longBinput(level);
        }
        return TorchFiles.zip(p.stop(), new float[] {1});
    }

    @Test
    void moduleTreeThatIsADagIsBoundedByModulesVisited() throws IOException {
        LoadOptions flat4 = LoadOptions.DEFAULTS.withInputShape(Shape.flat(4));
        Outcome twin = load("honest twin: module DAG 2 deep (4 Tanh leaves)", "dag.pt", moduleDag(2, 2), flat4);
        assertEquals(Outcome.Verdict.LOADED, twin.verdict(), twin.toString());
        Sequential model = Lenet5.load(write("dag.pt", moduleDag(2, 2)), flat4);
        assertEquals(4, model.layers().size());
        try (var predictor = model.newPredictor(lenet5.layout.Layout.NCHW)) {
            float[] y = predictor.predict(new float[] {0.5f, 0.5f, 0.5f, 0.5f});
            assertEquals(Math.tanh(Math.tanh(Math.tanh(Math.tanh(0.5)))), y[0], 1e-6);
        }
        for (int depth : new int[] {16, 20, 30}) {
            Outcome o = load("module DAG " + depth + " deep: 2^" + depth + " layers from " + moduleDag(depth, 2).length + " bytes",
                    "dag.pt", moduleDag(depth, 2), flat4);
            assertRefused(o, String.format("more than %,d modules", Budget.MAX_MODULES));
        }
        // One memoized Tanh 1,001 times in one Sequential: a flat module list beyond the layer budget.
        assertRefused(load("one Tanh memoized 1,001 times in one Sequential", "wide.pt", moduleDag(1, 1001), flat4),
                "1,001 layers", "budget");
    }

    @Test
    void tensorViewRepeatingOneFloatIsRefusedBeforeMaterializing() throws IOException {
        var stride0 = new TorchFiles.Tensor1(1, new long[] {20000, 20000}, new long[] {0, 0}, new float[] {1});
        assertRefused(loadTorch("view [20000, 20000] stride (0, 0) of 1 float", TorchFiles.zip(TorchFiles.stateDictPickle(stride0, false),
                new float[] {1})), "more than 8,388,608 elements");
        // Exactly at the element budget: refused by the architecture's shape before any element is copied.
        var atBudget = new TorchFiles.Tensor1(1, new long[] {2048, 4096}, new long[] {0, 0}, new float[] {1});
        assertRefused(loadTorch("view [2048, 4096] stride (0, 0) of 1 float", TorchFiles.zip(TorchFiles.stateDictPickle(atBudget, false),
                new float[] {1})), "do not fit the architecture");
        Outcome twin = loadTorch("honest twin: view [1, 1]", TorchFiles.zip(TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(1), false),
                new float[] {1}));
        assertEquals(Outcome.Verdict.LOADED, twin.verdict(), twin.toString());
    }

    // ---- 2. regular expressions over attacker text --------------------------------------------

    @Test
    void torchScriptClassBodyWith200000BlankLinesLoadsInLinearTime() throws IOException {
        Path script = TestFiles.testdata().resolve("torch/lenet5_tanh_script.pt");
        LoadOptions options = LoadOptions.DEFAULTS.withInputShape(Shape.chw(1, 28, 28));
        List<Zips.Entry> entries = new ArrayList<>(Zips.read(script));
        int patched = 0;
        for (int i = 0; i < entries.size(); i++) {
            Zips.Entry e = entries.get(i);
            if (e.name().endsWith("modules/conv.py")) {
                String code = new String(e.data(), StandardCharsets.UTF_8);
                int cls = code.indexOf("class Conv2d");
                int eol = code.indexOf('\n', cls);
                if (cls >= 0 && eol > 0) {
                    code = code.substring(0, eol + 1) + "\n".repeat(200_000) + code.substring(eol + 1);
                    entries.set(i, e.withData(code.getBytes(StandardCharsets.UTF_8)));
                    patched++;
                }
            }
        }
        assertEquals(1, patched, "patched conv.py");
        Path p = write("blank.pt", Zips.write(entries));
        Outcome o = run("TorchScript: 200,000 blank lines in the body of class Conv2d", () -> Fuzzer.loadAndPredict(p, options));
        assertEquals(Outcome.Verdict.LOADED, o.verdict(), o.toString());
        Sequential truth = Lenet5.load(script, options), read = Lenet5.load(p, options);
        assertEquals(truth.toString(), read.toString());
        for (int i = 0; i < truth.weights().size(); i++) {
            assertTrue(truth.weights().get(i).bitEquals(read.weights().get(i)), "weight " + i);
        }
    }

    // ---- 3. memory and compute estimated before allocating or running ------------------------

    static String kerasConfig(String inputShape, String... layers) {
        StringBuilder sb = new StringBuilder("{\"class_name\":\"Sequential\",\"config\":{\"name\":\"s\",\"layers\":["
                + "{\"class_name\":\"InputLayer\",\"config\":{\"name\":\"in\",\"batch_input_shape\":[null," + inputShape + "]}}");
        for (String l : layers) {
            sb.append(',').append(l);
        }
        return sb.append("]}}").toString();
    }

    static String layer(String cls, String name, String config) {
        return "{\"class_name\":\"" + cls + "\",\"config\":{\"name\":" + new ObjectMapper().valueToTree(name) + (config.isEmpty() ? "" : ",") + config + "}}";
    }

    @Test
    void convolutionWith40MillionFiltersIsRefusedBeforeAllocating() throws IOException {
        String conv = layer("Conv2D", "c", "\"filters\":40000000,\"kernel_size\":[1,1]");
        assertRefused(loadJson("Keras config.json: Conv2D with 40,000,000 filters", kerasConfig("28,28,1", conv)),
                "40,000,000", "over the budget of 8,388,608");
        Outcome twin = loadJson("honest twin: Conv2D with 6 filters", kerasConfig("28,28,1", layer("Conv2D", "c", "\"filters\":6,\"kernel_size\":[1,1]")));
        assertEquals(Outcome.Verdict.LOADED, twin.verdict(), twin.toString());
        Path keras = HostileFilesTest.sharedOrNull("keras3/lenet5_seeded_k3.keras");
        if (keras != null && Files.exists(keras)) {
            List<Zips.Entry> e = new ArrayList<>(Zips.read(keras));
            e.replaceAll(x -> x.name().equals("config.json")
                    ? x.withData(new String(x.data(), StandardCharsets.UTF_8).replaceFirst("\"filters\": ?6", "\"filters\": 40000000")
                    .getBytes(StandardCharsets.UTF_8)) : x);
            assertRefused(load(".keras: first Conv2D with 40,000,000 filters", "big.keras", Zips.write(e), LoadOptions.DEFAULTS), "budget");
        }
        Lenet5Exception arch = assertThrowsLenet5("--arch text Conv2d(1, 40000000, 1)",
                () -> TorchSyntax.parse("Sequential(Conv2d(1, 40000000, 1))", Shape.chw(1, 28, 28)));
        assertTrue(arch.getMessage().contains("over the budget"), arch.getMessage());
        CliRun cli = CliRun.of("inspect", TestFiles.testdata().resolve("torch/lenet5_tanh_state_dict.pt").toString(),
                "--arch", "Sequential(Conv2d(1, 40000000, 1))");
        assertEquals(2, cli.exit(), cli.err());
        assertEquals(1, cli.err().strip().lines().count(), cli.err());
    }

    @Test
    void kerasWeightsEntryInflatingTo300MBIsRefused() throws IOException {
        Path keras = HostileFilesTest.sharedOrSkip("keras3/lenet5_seeded_k3.keras");
        Assumptions.assumeTrue(Files.exists(keras), "../shared absent");
        List<Zips.Entry> e = new ArrayList<>(Zips.read(keras));
        e.replaceAll(x -> x.name().equals("model.weights.h5") ? Zips.deflatedZeros("model.weights.h5", 300L << 20) : x);
        byte[] bomb = Zips.write(e);
        assertRefused(load(".keras: model.weights.h5 inflates to 300 MB (" + (bomb.length >> 10) + " KiB file)", "bomb.keras", bomb,
                LoadOptions.DEFAULTS), "'model.weights.h5'", "over the limit of 33554432");
        Outcome twin = load("honest twin: the real .keras", "real.keras", Files.readAllBytes(keras), LoadOptions.DEFAULTS);
        assertEquals(Outcome.Verdict.LOADED, twin.verdict(), twin.toString());
    }

    @Test
    void gzippedIdxHolding1000000ImagesIsRefusedBeforeAllocating() throws IOException {
        Path big = dir.resolve("million-images.idx3-ubyte.gz");
        writeIdxGz(big, 1_000_000);
        assertTrue(Files.size(big) < 1 << 20, "a file under 1 MiB: " + Files.size(big));
        Outcome o = run("gzipped IDX: 1,000,000 images of 28x28 in " + (Files.size(big) >> 10) + " KiB", () -> lenet5.io.Idx.readImages(big));
        assertRefused(o, "1,000,000 images", "heap");
        assertTrue(o.error().getMessage().startsWith(big + ": "), o.error().getMessage());
        Path small = dir.resolve("ten-images.idx3-ubyte.gz");
        writeIdxGz(small, 10);
        Outcome twin = run("honest twin: gzipped IDX of 10 images", () -> lenet5.io.Idx.readImages(small));
        assertEquals(Outcome.Verdict.LOADED, twin.verdict(), twin.toString());
        assertEquals(10, lenet5.io.Idx.readImages(small).count());
    }

    private static void writeIdxGz(Path p, int n) throws IOException {
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(p), 1 << 16)) {
            out.write(ByteBuffer.allocate(16).putInt(0x803).putInt(n).putInt(28).putInt(28).array());
            byte[] zeros = new byte[784 * 1000];
            for (int written = 0; written < n; written += 1000) {
                out.write(zeros, 0, 784 * Math.min(1000, n - written));
            }
        }
    }

    @Test
    void poolingWindowsBeyondTheComputeBudgetAreRefused() throws IOException {
        String pool192 = layer("MaxPooling2D", "p", "\"pool_size\":[192,192],\"strides\":[1,1]");
        assertRefused(loadJson("Keras MaxPooling2D 192x192, stride 1, on 384x384", kerasConfig("384,384,1", pool192)),
                "FLOPs per image", "over the budget");
        String pool384 = layer("AveragePooling2D", "p", "\"pool_size\":[384,384],\"strides\":[1,1]");
        assertRefused(loadJson("Keras AveragePooling2D 384x384 on 768x768", kerasConfig("768,768,1", pool384)),
                "elements per image", "over the budget");
        Outcome twin = loadJson("honest twin: MaxPooling2D 2x2 on 384x384", kerasConfig("384,384,1", layer("MaxPooling2D", "p", "\"pool_size\":[2,2]")));
        assertEquals(Outcome.Verdict.LOADED, twin.verdict(), twin.toString());
        // compare: refused at once, not run for ever.
        Path cfg = write("pool.json", kerasConfig("384,384,1", pool192).getBytes(StandardCharsets.UTF_8));
        CliRun c = CliRun.of("compare", cfg.toString(), cfg.toString());
        c.assertOneLineError(cfg.toString());
    }

    @Test
    void hdf5CompoundDatatypeNested3000DeepIsOneLenet5Exception() throws IOException {
        Outcome o = loadHostile("compound_3000.h5");
        assertTrue(o.keepsPromise(), o.toString());
        if (o.verdict() == Outcome.Verdict.REFUSED) {
            assertRefused(o, "nested deeper");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"soft_self.h5", "soft_pair.h5", "soft_group_loop.h5", "hard_cycle.h5"})
    void hdf5LinkLoopsAndCyclesAreRefused(String name) throws IOException {
        assertRefused(loadHostile(name), name.startsWith("soft") ? "links followed (a link loop?)" : "has more than 64 parts");
        assertLoadsLikeH5py("soft_link_ok");
    }

    // ---- 4. links that leave the file ---------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"external_sibling.h5", "external_passwd.h5", "external_dev_zero.h5", "external_fifo.h5", "external_group.h5"})
    void hdf5ExternalLinksAreRefusedByNameBeforeAnythingIsOpened(String name) throws Exception {
        // The FIFO's target exists: a reader that opened it would block here until the bound.
        Path fifo = Path.of("/tmp/lenet5-hostile-fifo");
        if (name.contains("fifo") && !Files.exists(fifo)) {
            new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
        }
        // external_sibling links to honest.h5 next to it: copy both, so a reader that followed the link would find it.
        Files.copy(HOSTILE.resolve("honest.h5"), dir.resolve("honest.h5"));
        Path p = Files.copy(HOSTILE.resolve(name), dir.resolve(name));
        Outcome o = run("HDF5 " + name, () -> Fuzzer.loadAndPredict(p, LoadOptions.DEFAULTS.withArchitecture(DENSE_2_3)));
        assertRefused(o, "points outside this file", "not followed");
        assertTrue(o.error() instanceof UnsafeContentException, o.toString());
        assertLoadsLikeH5py("honest");
    }

    // ---- 5. exact arithmetic for shapes -------------------------------------------------------

    @Test
    void zeroPaddingOf2147483647IsRefusedNotWrapped() throws IOException {
        Lenet5Exception torch = assertThrowsLenet5("ZeroPad2d(2147483647) (PyTorch)",
                () -> TorchSyntax.parse("Sequential(ZeroPad2d(2147483647), Flatten(), Linear(10, 1))", Shape.chw(1, 28, 28)));
        assertTrue(torch.getMessage().contains("output side of 4,294,967,322"), torch.getMessage());
        String pad = layer("ZeroPadding2D", "z", "\"padding\":[[2147483647,2147483647],[2147483647,2147483647]]");
        assertRefused(loadJson("Keras ZeroPadding2D(2147483647)", kerasConfig("28,28,1", pad)), "output side of 4,294,967,322");
        assertRefused(loadJson("Keras ZeroPadding2D(2147483647) (one side)", kerasConfig("28,28,1",
                layer("ZeroPadding2D", "z", "\"padding\":[[0,2147483647],[0,0]]"))), "output side of 2,147,483,675");
        Outcome twin = loadJson("honest twin: ZeroPadding2D(2)", kerasConfig("28,28,1", layer("ZeroPadding2D", "z", "\"padding\":[2,2]")));
        assertEquals(Outcome.Verdict.LOADED, twin.verdict(), twin.toString());
        // convert refuses before writing anything.
        Path out = dir.resolve("padded.h5");
        CliRun c = CliRun.of("convert", TestFiles.testdata().resolve("torch/lenet5_tanh_state_dict.pt").toString(), out.toString(),
                "--arch", "Sequential(ZeroPad2d(2147483647), Conv2d(1, 6, 5))");
        assertEquals(2, c.exit(), c.err());
        assertFalse(Files.exists(out), "convert left " + out);
    }

    // ---- 6. file text never becomes code ------------------------------------------------------

    @Test
    void loaderScriptEncodesAnyFileNameAsAPythonLiteral() throws Exception {
        String evilIn = "tanh\nimport os; os.system('touch PWNED')\n#.pt";
        String evilOut = "w'\"\\\n__import__('os').system('touch PWNED2')\n.pt";
        Path in = Files.copy(TestFiles.testdata().resolve("torch/lenet5_tanh.pt"), dir.resolve(evilIn));
        Path out = dir.resolve(evilOut);
        CliRun c = CliRun.of("convert", in.toString(), out.toString(), "--no-verify");
        assertEquals(0, c.exit(), c.err());
        Path py = dir.resolve(evilOut.substring(0, evilOut.lastIndexOf('.')) + ".py");
        String script = Files.readString(py);
        for (String line : script.split("\n", -1)) {
            assertFalse(line.startsWith("import os;") || line.startsWith("__import__"), "a line of the input's name became code:\n" + script);
        }
        assertTrue(script.contains("SOURCE = " + Text.pythonString(evilIn)), script);
        assertTrue(script.contains("WEIGHTS = " + Text.pythonString(evilOut)), script);
        // Real Python reads the constants back as exactly the names, and the script calls nothing but torch.
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3");
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import ast, json, sys\n"
                + "t = ast.parse(open(sys.argv[1], encoding='utf-8').read())\n"
                + "consts = {n.targets[0].id: ast.literal_eval(n.value) for n in t.body if isinstance(n, ast.Assign) and n.targets[0].id.isupper()}\n"
                + "calls = sorted({ast.unparse(n.func) for n in ast.walk(t) if isinstance(n, ast.Call)})\n"
                + "print(json.dumps({'consts': consts, 'calls': calls}))", py.toString()).redirectErrorStream(true).start();
        String result = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), result);
        JsonNode r = new ObjectMapper().readTree(result);
        assertEquals(evilIn, r.get("consts").get("SOURCE").asText());
        assertEquals(evilOut, r.get("consts").get("WEIGHTS").asText());
        for (JsonNode call : r.get("calls")) {
            String f = call.asText();
            assertTrue(f.startsWith("torch.") || f.startsWith("os.path.") || f.startsWith("model."), "unexpected call " + f);
        }
    }

    // ---- 7. messages: escaped, capped, one line -----------------------------------------------

    @Test
    void newlineInAKerasActivationNameStaysInOneLine() throws IOException {
        String conv = layer("Conv2D", "c", "\"filters\":6,\"kernel_size\":[5,5],\"activation\":\"tanh\\nmodel OK\\n\\u001b]0;pwned\\u0007\"");
        Path cfg = write("act.json", kerasConfig("28,28,1", conv).getBytes(StandardCharsets.UTF_8));
        Outcome o = run("Keras activation 'tanh\\nmodel OK\\n<ESC>]0;pwned<BEL>'", () -> Lenet5.load(cfg));
        assertRefused(o, "tanh\\nmodel OK\\n\\x1b]0;pwned\\x07");
        for (String cmd : new String[] {"inspect", "predict"}) {
            CliRun c = cmd.equals("inspect") ? CliRun.of("inspect", cfg.toString())
                    : CliRun.of("predict", cfg.toString(), "--input", write("x.f32", new byte[784 * 4]).toString());
            c.assertOneLineError(cfg.toString());
            assertFalse(c.err().contains("\u001b") || c.err().contains("\u0007"), c.err());
        }
    }

    @Test
    void controlCharactersInLayerNamesNeverReachTheTerminal() throws IOException {
        String evil = "\u001b]0;pwned\u0007\u001b[2J\u0000\u202econv\nOK";
        String conv = layer("Conv2D", evil, "\"filters\":6,\"kernel_size\":[5,5]");
        Path cfg = write("names.json", kerasConfig("28,28,1", conv, layer("Flatten", "f", ""), layer("Dense", "d\u001b[31m", "\"units\":10")).getBytes(StandardCharsets.UTF_8));
        assertEquals(Outcome.Verdict.LOADED, run("Keras layer names with ESC, BEL, NUL, RLO and a newline", () -> Lenet5.load(cfg)).verdict());
        CliRun c = CliRun.of("inspect", cfg.toString());
        assertEquals(0, c.exit(), c.err());
        assertNoControlCharacters(c.out());
        assertTrue(c.out().contains("\\x1b]0;pwned\\x07"), c.out());
        // The same text in a state_dict key of a refused file: the error line is clean.
        byte[] pickle = Pickle.proto(2).global("collections", "OrderedDict").ops(")R").str(evil).str("not a tensor").ops("s").stop();
        Outcome o = loadTorch("state_dict key with ESC, BEL, NUL, RLO and a newline", TorchFiles.zip(pickle, new float[] {1}));
        assertRefused(o);
    }

    @Test
    void mismatchOfA99990TensorStateDictIsOneCappedLine() throws IOException {
        int n = 99_990;
        Pickle p = Pickle.proto(2).global("collections", "OrderedDict").ops(")R");
        p.str("k0").global("torch._utils", "_rebuild_tensor_v2").ops("(");
        p.ops("(").str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(1);
        p.ops("tQ").integer(0).intTuple(1, 1).intTuple(1, 1).op(0x89).global("collections", "OrderedDict").ops(")R").ops("tR");
        p.longBinput(7).ops("s");
        for (int i = 1; i < n; i++) {
            p.str("k" + i).longBinget(7).ops("s");
        }
        byte[] file = TorchFiles.zip(p.stop(), new float[] {1});
        Outcome o = loadTorch("state_dict of 99,990 tensors (one memoized) against Linear(1, 1)", file);
        assertRefused(o, "do not fit", "... and 99,970 more");
        Path pt = write("many.pt", file);
        CliRun c = CliRun.of("inspect", pt.toString(), "--arch", "Sequential(Linear(1, 1, bias=False))", "--input-shape", "1");
        c.assertOneLineError(pt.toString());
        assertTrue(c.err().length() < 5000, c.err().length() + " characters");
    }

    // ---- 8. writes ----------------------------------------------------------------------------

    @Test
    void predictNeverOverwritesItsInputs() throws IOException {
        Path model = Files.copy(TestFiles.testdata().resolve("torch/lenet5_tanh.pt"), dir.resolve("m.pt"));
        Path input = write("x.f32", new byte[784 * 4]);
        byte[] modelBytes = Files.readAllBytes(model), inputBytes = Files.readAllBytes(input);
        for (Path target : new Path[] {model, input, dir.resolve("./m.pt")}) {
            CliRun c = CliRun.of("predict", model.toString(), "--input", input.toString(), "--output", target.toString());
            assertEquals(2, c.exit(), c.err());
            assertTrue(c.err().contains("refusing to overwrite"), c.err());
        }
        assertArrayEquals(modelBytes, Files.readAllBytes(model));
        assertArrayEquals(inputBytes, Files.readAllBytes(input));
    }

    @Test
    void writtenFilesGetTheUsualModeAndReplacedFilesKeepTheirs() throws IOException {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path probe = write("probe", new byte[0]); // what any tool creates here under this process's umask
        Set<PosixFilePermission> usual = Files.getPosixFilePermissions(probe);
        Sequential model = Lenet5.load(TestFiles.testdata().resolve("torch/lenet5_tanh.pt"));
        for (String ext : new String[] {"pt", "h5", "keras"}) {
            Path fresh = dir.resolve("new." + ext);
            Lenet5.save(model, fresh);
            assertEquals(usual, Files.getPosixFilePermissions(fresh), "new ." + ext);
            for (String mode : new String[] {"rw-------", "rw-r-----", "rwxr-xr-x"}) {
                Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString(mode));
                Lenet5.save(model, fresh);
                assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)), "replaced ." + ext);
            }
        }
        lenet5.io.RawFloats.write(dir.resolve("out.f32"), new float[] {1});
        assertEquals(usual, Files.getPosixFilePermissions(dir.resolve("out.f32")));
    }

    @Test
    void longLegalOutputNamesWork() throws IOException {
        Sequential model = Lenet5.load(TestFiles.testdata().resolve("torch/lenet5_tanh.pt"));
        for (String name : new String[] {"a".repeat(240) + ".pt", "é".repeat(120) + ".h5", "b".repeat(249) + ".keras"}) {
            assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= 255);
            Path target = dir.resolve(name);
            Lenet5.save(model, target);
            Lenet5.save(model, target); // replacing it too
            assertEquals(model.weights().size(), Lenet5.load(target).weights().size());
        }
        try (var s = Files.list(dir)) {
            assertEquals(3, s.count(), "only the three outputs, no temporary file left");
        }
    }

    @Test
    void convertToPtNamedLikeItsLoaderScriptIsRefused() throws IOException {
        Path in = Files.copy(TestFiles.testdata().resolve("torch/lenet5_tanh.pt"), dir.resolve("x.pt"));
        Path out = dir.resolve("model.py");
        CliRun c = CliRun.of("convert", in.toString(), out.toString(), "--to", "pt");
        assertEquals(2, c.exit(), c.err());
        assertTrue(c.err().contains("would overwrite the weights"), c.err());
        assertFalse(Files.exists(out), "nothing written");
        CliRun ok = CliRun.of("convert", in.toString(), out.toString(), "--to", "pt", "--no-torch-source");
        assertEquals(0, ok.exit(), ok.err());
        assertEquals(Lenet5.load(in).weights().size(), Lenet5.load(out).weights().size());
    }

    // ---- 9. true reasons ------------------------------------------------------------------------

    @Test
    void unwrittenChunkedDatasetsReadAsTheirFillValue() throws IOException {
        assertLoadsLikeH5py("unwritten");
        assertLoadsLikeH5py("unwritten_fill");
        assertLoadsLikeH5py("filters_gzip");
    }

    @Test
    void filterPipelineJhdfCannotDecodeIsRefusedWithTheFilters() throws IOException {
        assertRefused(loadHostile("filters_lzf.h5"), "filter pipeline [shuffle, lzf, fletcher32]", "cannot decode");
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Loads testdata/hostile/{@code name}.h5 and compares its weights with what h5py read (expected.json), exactly. */
    private void assertLoadsLikeH5py(String name) throws IOException {
        Outcome o = loadHostile(name + ".h5");
        assertEquals(Outcome.Verdict.LOADED, o.verdict(), o.toString());
        JsonNode truth = new ObjectMapper().readTree(HOSTILE.resolve("expected.json").toFile()).get("files").get(name);
        Sequential m = Lenet5.load(HOSTILE.resolve(name + ".h5"), LoadOptions.DEFAULTS.withArchitecture(DENSE_2_3));
        float[] kernel = m.weights().get(0).data(), bias = m.weights().get(1).data(); // kernel as (out, in): Keras's (in, out) transposed
        for (int in = 0; in < 2; in++) {
            for (int out = 0; out < 3; out++) {
                assertEquals((float) truth.get("kernel").get(in * 3 + out).asDouble(), kernel[out * 2 + in], 0f, name + " kernel");
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals((float) truth.get("bias").get(i).asDouble(), bias[i], 0f, name + " bias");
        }
    }

    private Outcome loadHostile(String name) throws IOException {
        return load("HDF5 " + name, name, Files.readAllBytes(HOSTILE.resolve(name)), LoadOptions.DEFAULTS.withArchitecture(DENSE_2_3));
    }

    private Outcome loadTorch(String what, byte[] file) throws IOException {
        return load(what, "crafted.pt", file, LoadOptions.DEFAULTS.withArchitecture(TorchFiles.ARCH));
    }

    private Outcome loadJson(String what, String json) throws IOException {
        return load(what, "config.json", json.getBytes(StandardCharsets.UTF_8), LoadOptions.DEFAULTS);
    }

    private Outcome load(String what, String name, byte[] bytes, LoadOptions options) throws IOException {
        Path p = write(name, bytes);
        Outcome o = run(what, () -> Fuzzer.loadAndPredict(p, options));
        assertArrayEquals(bytes, Files.readAllBytes(p), what + ": the reader modified its input");
        if (o.error() instanceof Lenet5Exception e && e.file() != null) {
            assertEquals(p, e.file(), "the refusal names the file");
        }
        Files.delete(p);
        return o;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static Outcome run(String what, Callable<?> task) {
        Outcome o;
        try (Guard g = new Guard(BOUND_MS)) {
            o = g.run(task);
        }
        REPORT.add(what, o);
        return o;
    }

    private static Lenet5Exception assertThrowsLenet5(String what, Callable<?> task) {
        Outcome o = run(what, task);
        assertRefused(o);
        return (Lenet5Exception) o.error();
    }

    /** Refused by one Lenet5Exception, in time, with a clean one-line message that names the file (when there is one) and gives {@code reasons}. */
    static void assertRefused(Outcome o, String... reasons) {
        if (o.verdict() != Outcome.Verdict.REFUSED) {
            fail("expected a lenet5 exception, got " + o + (o.error() == null ? "" : "\n" + o.stackTrace()));
        }
        String m = o.error().getMessage();
        assertNoControlCharacters(m);
        assertTrue(m.length() <= 4096 + 2 + Text.MAX_MESSAGE + 40, "message of " + m.length() + " characters");
        Lenet5Exception e = (Lenet5Exception) o.error();
        if (e.file() != null) {
            assertTrue(m.startsWith(Text.escape(e.file().toString(), 4096) + ": "), "names the file: " + m);
        }
        for (String r : reasons) {
            assertTrue(m.contains(r), "the message should say '" + r + "': " + m);
        }
    }

    static void assertNoControlCharacters(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\n') || (c >= 0x7f && c < 0xa0) || c == '\u202e') {
                fail(String.format("control character U+%04X at %d in: %s", (int) c, i, Fuzzer.printable(s)));
            }
        }
    }
}
