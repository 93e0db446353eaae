package lenet5.safety;

import lenet5.layout.Layout;
import lenet5.CorruptFileException;
import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.UnsafeContentException;
import lenet5.testing.KerasH5;
import lenet5.testing.Pickle;
import lenet5.testing.TestFiles;
import lenet5.testing.TorchFiles;
import lenet5.testing.Zips;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hand-made hostile files, each aimed at one way a reader can be tricked: code in a pickle,
 * sizes that lie, names that climb out of a directory, nesting that overflows a stack, numbers
 * that overflow arithmetic. Each must be refused with a lenet5 exception (or, where the file is
 * legal, load), quickly, on the safety run's 256 MB heap. Every hostile file has an honest twin
 * built the same way that loads, so a refusal proves the reader looked, not that the builder
 * was wrong. Results go to target/hostile-report.txt.
 */
@Tag("safety")
class HostileFilesTest {
    static final long BOUND_MS = 2000;
    static final Report REPORT = new Report("Hostile files");

    @TempDir
    Path dir;

    @AfterAll
    static void print() {
        REPORT.print("hostile-report.txt");
    }

    // ---- code in pickles --------------------------------------------------------------------

    /** Globals that run code when a Python unpickler meets them. */
    static Stream<Arguments> codeGlobals() {
        return Stream.of(
                Arguments.of("os", "system"), Arguments.of("posix", "system"), Arguments.of("nt", "system"),
                Arguments.of("builtins", "eval"), Arguments.of("builtins", "exec"), Arguments.of("__builtin__", "eval"),
                Arguments.of("builtins", "__import__"), Arguments.of("builtins", "getattr"),
                Arguments.of("subprocess", "Popen"), Arguments.of("subprocess", "check_output"),
                Arguments.of("pickle", "loads"), Arguments.of("operator", "attrgetter"), Arguments.of("runpy", "_run_code"),
                Arguments.of("torch.serialization", "load"), Arguments.of("torch._utils", "os.system"),
                Arguments.of("collections", "os.system"));
    }

    enum Form { GLOBAL_TOP, STACK_GLOBAL_TOP, INST_TOP, GLOBAL_IN_STATE_DICT, STACK_GLOBAL_IN_STATE_DICT, LEGACY_GLOBAL }

    static Stream<Arguments> codeCases() {
        return codeGlobals().flatMap(g -> Stream.of(Form.values()).map(f -> Arguments.of(g.get()[0], g.get()[1], f)));
    }

    @ParameterizedTest(name = "{0}.{1} via {2}")
    @MethodSource("codeCases")
    void pickleReferencingCodeIsRefusedByName(String module, String name, Form form) throws IOException {
        Path marker = dir.resolve("pwned-" + module + "-" + name);
        String command = "touch " + marker;
        Consumer<Pickle> call = p -> {
            if (form == Form.STACK_GLOBAL_TOP || form == Form.STACK_GLOBAL_IN_STATE_DICT) {
                p.stackGlobal(module, name);
            } else {
                p.global(module, name);
            }
            p.str(command).op(0x85).ops("R"); // f("touch ...")
        };
        byte[] file = switch (form) {
            case GLOBAL_TOP -> TorchFiles.zip(withCall(Pickle.proto(2), call), new float[] {1});
            case STACK_GLOBAL_TOP -> TorchFiles.zip(withCall(Pickle.proto(4), call), new float[] {1});
            case INST_TOP -> TorchFiles.zip(Pickle.proto(2).ops("(").str(command).inst(module, name).stop(), new float[] {1});
            case GLOBAL_IN_STATE_DICT, STACK_GLOBAL_IN_STATE_DICT -> TorchFiles.zip(TorchFiles.stateDictPickle(
                    TorchFiles.Tensor1.honest(1), false, p -> {
                        p.str("x");
                        call.accept(p);
                        p.ops("s");
                    }), new float[] {1});
            case LEGACY_GLOBAL -> TorchFiles.legacy(TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(1), true, p -> {
                p.str("x");
                call.accept(p);
                p.ops("s");
            }), 1, new float[] {1});
        };
        Outcome o = load(module + "." + name + " via " + form, "evil.pt", file, TorchFiles.ARCH);
        assertEquals(Outcome.Verdict.REFUSED, o.verdict(), o.toString());
        assertTrue(o.error() instanceof UnsafeContentException, "expected UnsafeContentException, got " + o);
        Pattern byName = Pattern.compile(Pattern.quote(module) + "[. ]" + Pattern.quote(name));
        assertTrue(byName.matcher(o.error().getMessage()).find(), "the refusal must name " + module + "." + name + ": " + o);
        assertFalse(Files.exists(marker), "the payload ran: " + marker + " exists");
    }

    private static byte[] withCall(Pickle p, Consumer<Pickle> call) {
        call.accept(p);
        return p.stop();
    }

    @Test
    void honestTwinsLoad() throws IOException {
        // The builders make files the readers accept: the hostile variants below differ only where stated.
        float w = 0.375f;
        for (boolean legacy : new boolean[] {false, true}) {
            byte[] pickle = TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(w), legacy);
            byte[] file = legacy ? TorchFiles.legacy(pickle, 1, new float[] {w}) : TorchFiles.zip(pickle, new float[] {w});
            Path p = write(legacy ? "honest_legacy.pt" : "honest.pt", file);
            Outcome o = run("honest twin" + (legacy ? " (legacy)" : " (zip)"), () -> Lenet5.load(p, LoadOptions.DEFAULTS.withArchitecture(TorchFiles.ARCH)));
            assertEquals(Outcome.Verdict.LOADED, o.verdict(), o.toString());
            var model = Lenet5.load(p, LoadOptions.DEFAULTS.withArchitecture(TorchFiles.ARCH));
            try (var predictor = model.newPredictor(Layout.NCHW)) {
                assertEquals(w * 2f, predictor.predict(new float[] {2f})[0]);
            }
        }
    }

    // ---- numbers that lie ---------------------------------------------------------------------

    static Stream<Arguments> lyingTensors() {
        long t = 1_000_000_000_000L;
        return Stream.of(
                Arguments.of("storage claims 10^12 elements", new TorchFiles.Tensor1(t, new long[] {1, 1}, new long[] {1, 1}, new float[] {1})),
                Arguments.of("storage and size claim 10^12 elements", new TorchFiles.Tensor1(t, new long[] {1_000_000, 1_000_000}, new long[] {1_000_000, 1}, new float[] {1})),
                Arguments.of("storage claims 2^31 elements", new TorchFiles.Tensor1(1L << 31, new long[] {1, 1}, new long[] {1, 1}, new float[] {1})),
                Arguments.of("storage claims Long.MAX_VALUE elements", new TorchFiles.Tensor1(Long.MAX_VALUE, new long[] {1, 1}, new long[] {1, 1}, new float[] {1})),
                Arguments.of("storage claims -1 elements", new TorchFiles.Tensor1(-1, new long[] {1, 1}, new long[] {1, 1}, new float[] {1})),
                Arguments.of("storage claims 2 elements, 1 stored", new TorchFiles.Tensor1(2, new long[] {1, 1}, new long[] {1, 1}, new float[] {1})),
                Arguments.of("size (2^62, 4): product wraps to 0", new TorchFiles.Tensor1(1, new long[] {1L << 62, 4}, new long[] {0, 0}, new float[] {1})),
                Arguments.of("size (2^32, 2^32)", new TorchFiles.Tensor1(1, new long[] {1L << 32, 1L << 32}, new long[] {1, 1}, new float[] {1})),
                Arguments.of("size (-1, -1)", new TorchFiles.Tensor1(1, new long[] {-1, -1}, new long[] {1, 1}, new float[] {1})),
                Arguments.of("stride (2^31, 1) past the storage", new TorchFiles.Tensor1(1, new long[] {2, 1}, new long[] {1L << 31, 1}, new float[] {1})),
                Arguments.of("stride (-1, -1)", new TorchFiles.Tensor1(1, new long[] {1, 1}, new long[] {-1, -1}, new float[] {1})),
                Arguments.of("stride (Long.MAX_VALUE, 1)", new TorchFiles.Tensor1(4, new long[] {2, 1}, new long[] {Long.MAX_VALUE, 1}, new float[] {1, 2, 3, 4})),
                Arguments.of("rank 10,000 size", new TorchFiles.Tensor1(1, ones(10_000), ones(10_000), new float[] {1})));
    }

    @ParameterizedTest(name = "zip: {0}")
    @MethodSource("lyingTensors")
    void zipTensorThatLiesIsRefused(String what, TorchFiles.Tensor1 t) throws IOException {
        Outcome o = load("zip .pt: " + what, "lying.pt", TorchFiles.zip(TorchFiles.stateDictPickle(t, false), t.data()), TorchFiles.ARCH);
        assertRefused(o);
    }

    @ParameterizedTest(name = "legacy: {0}")
    @MethodSource("lyingTensors")
    void legacyTensorThatLiesIsRefused(String what, TorchFiles.Tensor1 t) throws IOException {
        Outcome o = load("legacy .pt: " + what, "lying.pt", TorchFiles.legacy(TorchFiles.stateDictPickle(t, true), t.data().length, t.data()), TorchFiles.ARCH);
        assertRefused(o);
    }

    @ParameterizedTest(name = "legacy storage record count {0}")
    @ValueSource(longs = {Long.MAX_VALUE, Long.MIN_VALUE, -1, 1L << 62, 1L << 32, 1L << 31, 2, 0})
    void legacyStorageRecordCountThatLiesIsRefused(long count) throws IOException {
        byte[] pickle = TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(1), true);
        Outcome o = load("legacy storage record claims " + count + " elements (1 stored)", "legacy.pt",
                TorchFiles.legacy(pickle, count, new float[] {1}), TorchFiles.ARCH);
        assertRefused(o);
    }

    @Test
    void legacyRealFileWithOverflowingStorageCountsIsRefused() throws IOException {
        byte[] original = Files.readAllBytes(TestFiles.testdata().resolve("torch/lenet5_tanh_legacy_state_dict.pt"));
        var arch = lenet5.torch.nn.TorchSyntax.parse(tanhArchitecture(), lenet5.tensor.Shape.chw(1, 28, 28));
        List<Landmarks.Field> counts = Landmarks.of(original).fields.stream().filter(f -> f.what().startsWith("legacy storage")).toList();
        assertEquals(10, counts.size(), "the legacy file's 10 storage records");
        for (long v : new long[] {Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
            for (int which : new int[] {0, 9}) {
                byte[] b = original.clone();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(counts.get(which).offset(), v);
                assertRefused(load("lenet5_tanh_legacy_state_dict.pt, storage record " + which + " count " + v, "legacy.pt", b, arch));
            }
        }
    }

    // ---- the pickle machine itself --------------------------------------------------------

    static Stream<Arguments> machineAbuse() {
        int n = 100_000;
        return Stream.of(
                Arguments.of("LONG_BINPUT 2^31-1", Pickle.proto(2).str("a").longBinput(0x7fffffffL).stop(), false),
                Arguments.of("LONG_BINPUT 0xFFFFFFFF", Pickle.proto(2).str("a").longBinput(0xffffffffL).stop(), false),
                Arguments.of("LONG_BINGET 2^31-1 never put", Pickle.proto(2).longBinget(0x7fffffffL).stop(), false),
                Arguments.of("BINGET 200 never put", Pickle.proto(2).op('h').op(200).stop(), false),
                Arguments.of("MEMOIZE on an empty stack", Pickle.proto(4).op(0x94).stop(), false),
                Arguments.of("LONG_BINPUT 2^31-1 inside a state_dict", TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(1), false,
                        p -> p.str("x").str("v").longBinput(0x7fffffffL).ops("s")), true),
                Arguments.of(n + " nested tuples (MARK ... TUPLE)", Pickle.proto(2).ops("(".repeat(n)).ops("t".repeat(n)).stop(), false),
                Arguments.of(n + " nested tuples as a state_dict value", TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(1), false,
                        p -> p.str("x").ops("(".repeat(n)).ops("t".repeat(n)).ops("s")), true),
                Arguments.of(n + " nested lists (APPEND)", Pickle.proto(2).ops("]".repeat(n)).ops("a".repeat(n - 1)).stop(), false),
                Arguments.of(n + " nested dicts (SETITEM)", nestedDicts(n), false),
                Arguments.of(n + " MARKs never closed", Pickle.proto(2).ops("(".repeat(n)).stop(), false),
                Arguments.of(n + " tuples left on the stack", Pickle.proto(2).ops(")".repeat(n)).stop(), false),
                Arguments.of("50,000 nested Sequential modules", nestedModules(50_000), false),
                Arguments.of("STOP on an empty stack", Pickle.proto(2).stop(), false),
                Arguments.of("no STOP", Pickle.proto(2).str("a").unfinished(), false),
                Arguments.of("BINUNICODE claiming 2^31-1 bytes", Pickle.proto(2).op('X').le(0x7fffffffL, 4).bytes("abc".getBytes()).stop(), false),
                Arguments.of("BINUNICODE8 claiming 2^62 bytes", Pickle.proto(4).op(0x8d).le(1L << 62, 8).stop(), false),
                Arguments.of("BINBYTES8 claiming 2^63-1 bytes", Pickle.proto(4).op(0x8e).le(Long.MAX_VALUE, 8).stop(), false),
                Arguments.of("LONG4 claiming 2^31-1 bytes", Pickle.proto(2).op(0x8b).le(0x7fffffffL, 4).stop(), false),
                Arguments.of("LONG4 of 100,000 bytes (a 800,000-bit integer)", Pickle.proto(2).op(0x8b).le(100_000, 4).bytes(new byte[100_000]).stop(), false),
                Arguments.of("FRAME claiming 2^63-1 bytes", Pickle.proto(4).op(0x95).le(Long.MAX_VALUE, 8).str("a").stop(), false),
                Arguments.of("invalid UTF-8 in BINUNICODE", Pickle.proto(2).op('X').le(2, 4).bytes(new byte[] {(byte) 0xc3, 0x28}).stop(), false),
                Arguments.of("unknown opcode 0xff", Pickle.proto(2).op(0xff).stop(), false),
                Arguments.of("protocol 99", Pickle.proto(99).str("a").stop(), false),
                Arguments.of("EXT1 (copyreg extension registry)", Pickle.proto(2).op(0x82).op(1).stop(), false),
                Arguments.of("PERSID text form with a shell command", Pickle.proto(0).op('P').bytes("$(touch /tmp/x)\n".getBytes()).stop(), false),
                Arguments.of("REDUCE of a non-callable string", Pickle.proto(2).str("os.system").str("ls").op(0x85).ops("R").stop(), false),
                Arguments.of("BUILD on a string", Pickle.proto(2).str("a").op('}').ops("b").stop(), false),
                Arguments.of("SETITEM on a list", Pickle.proto(2).ops("]").str("k").str("v").ops("s").stop(), false),
                Arguments.of("APPEND on a dict", Pickle.proto(2).ops("}").str("v").ops("a").stop(), false),
                Arguments.of("BINPERSID of a non-tuple", Pickle.proto(2).str("storage").ops("Q").stop(), false),
                Arguments.of("state_dict whose tensor is a string", Pickle.proto(2).global("collections", "OrderedDict").ops(")R")
                        .str("0.weight").str("not a tensor").ops("s").stop(), false),
                Arguments.of("state_dict keyed by an int", Pickle.proto(2).op('}').integer(0).str("x").ops("s").stop(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("machineAbuse")
    void pickleMachineAbuseIsRefusedOrHarmless(String what, byte[] pickle, boolean mayLoad) throws IOException {
        Outcome o = load("pickle: " + what, "machine.pt", TorchFiles.zip(pickle, new float[] {1}), TorchFiles.ARCH);
        if (mayLoad) {
            assertTrue(o.keepsPromise(), o.toString());
        } else {
            assertRefused(o);
        }
        Outcome legacy = load("legacy pickle: " + what, "machine.pt", TorchFiles.legacy(pickle, 1, new float[] {1}), TorchFiles.ARCH);
        assertTrue(legacy.keepsPromise(), legacy.toString());
    }

    private static byte[] nestedDicts(int n) {
        Pickle p = Pickle.proto(2);
        for (int i = 0; i < n; i++) {
            p.op('}').str("k");
        }
        p.op('}');
        return p.ops("s".repeat(n)).stop();
    }

    /** Sequential(Sequential(...(Tanh()))) as torch.save(model) pickles it: NEWOBJ, attribute dict, BUILD. */
    private static byte[] nestedModules(int depth) {
        Pickle p = Pickle.proto(2);
        for (int i = 0; i < depth; i++) {
            p.global("torch.nn.modules.container", "Sequential").ops(")").op(0x81).op('}')
                    .str("_modules").global("collections", "OrderedDict").ops(")R").str("0");
        }
        p.global("torch.nn.modules.activation", "Tanh").ops(")").op(0x81).op('}').ops("b");
        return p.ops("ssb".repeat(depth)).stop();
    }

    // ---- zip containers ----------------------------------------------------------------------

    @ParameterizedTest(name = "claimed size {0}")
    @ValueSource(longs = {0xFFFFFFFFL, 0xFFFFFFFEL, 1L << 32, 1L << 40, Long.MAX_VALUE})
    void zipEntriesClaimingEnormousSizesAreRefused(long claimed) throws IOException {
        byte[] pickle = TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(1), false);
        for (int which = 0; which < 2; which++) {
            List<Zips.Entry> e = new ArrayList<>(TorchFiles.zipEntries("archive", pickle, new float[] {1}));
            Zips.Entry victim = e.get(which);
            e.set(which, new Zips.Entry(victim.name(), victim.data(), false, claimed));
            assertRefused(load("zip entry " + victim.name() + " claims " + claimed + " bytes", "big.pt", Zips.write(e), TorchFiles.ARCH));
        }
    }

    /** A real file whose central directory claims 4 GiB for one entry: refused, or (sizes taken from elsewhere) loaded with the right weights. */
    @Test
    void realZipWithCentralDirectoryClaiming4GiBIsRefusedOrReadCorrectly() throws IOException {
        Path src = TestFiles.testdata().resolve("torch/lenet5_tanh.pt");
        byte[] original = Files.readAllBytes(src);
        List<lenet5.tensor.Tensor> truth = Lenet5.load(src).weights();
        for (Landmarks.Field f : Landmarks.of(original).fields) {
            if (f.what().equals("zip central uncompressed size") || f.what().equals("zip central compressed size")) {
                byte[] b = original.clone();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(f.offset(), 0xFFFFFFFF);
                Outcome o = load("lenet5_tanh.pt, " + f.what() + " at " + f.offset() + " = 4 GiB", "big.pt", b, null);
                assertTrue(o.keepsPromise(), o.toString());
                if (o.verdict() == Outcome.Verdict.LOADED) {
                    Path p = write("big.pt", b);
                    List<lenet5.tensor.Tensor> read = Lenet5.load(p).weights();
                    for (int i = 0; i < truth.size(); i++) {
                        assertTrue(truth.get(i).bitEquals(read.get(i)), f.what() + " at " + f.offset() + ": loaded, but weight " + i + " differs");
                    }
                }
            }
        }
    }

    @Test
    void zipBombIsRefusedWithoutExhaustingMemory() throws IOException {
        // 512 MiB of zeros deflate to about 0.5 MB; the pickle's storage claims them all (2^27 floats)
        // but the tensor uses one. Twice the safety run's heap: a reader that inflates it all fails.
        long numel = 1L << 27;
        byte[] pickle = TorchFiles.stateDictPickle(new TorchFiles.Tensor1(numel, new long[] {1, 1}, new long[] {1, 1}, new float[0]), false);
        List<Zips.Entry> e = List.of(new Zips.Entry("archive/data.pkl", pickle),
                Zips.deflatedZeros("archive/data/0", numel * 4), new Zips.Entry("archive/version", "3\n".getBytes()));
        byte[] bomb = Zips.write(e);
        assertTrue(bomb.length < 4 << 20, "bomb is " + bomb.length + " bytes");
        Outcome o = load("zip bomb: data/0 deflated, 512 MiB of zeros in " + (bomb.length >> 10) + " KiB", "bomb.pt", bomb, TorchFiles.ARCH);
        assertTrue(o.keepsPromise(), o.toString());
    }

    @Test
    void zipEntryNamesClimbingOutOfTheDirectoryWriteNothing() throws IOException {
        String slip = "lenet5-zip-slip-" + System.nanoTime();
        byte[] pickle = TorchFiles.stateDictPickle(TorchFiles.Tensor1.honest(1), false);
        List<List<Zips.Entry>> variants = List.of(
                TorchFiles.zipEntries("../../" + slip, pickle, new float[] {1}),
                TorchFiles.zipEntries("../../../../../../../../tmp/" + slip, pickle, new float[] {1}),
                TorchFiles.zipEntries("/tmp/" + slip, pickle, new float[] {1}),
                TorchFiles.zipEntries("..\\..\\" + slip, pickle, new float[] {1}));
        for (List<Zips.Entry> v : variants) {
            Outcome o = load("torch zip with prefix " + v.get(0).name(), "slip.pt", Zips.write(v), TorchFiles.ARCH);
            assertTrue(o.keepsPromise(), o.toString());
            assertNoSlip(slip);
        }
        Path keras = sharedOrNull("keras3/lenet5_seeded_k3.keras");
        if (keras != null) {
            List<Zips.Entry> entries = Zips.read(keras);
            for (String prefix : new String[] {"../", "../../" + slip + "/", "/tmp/" + slip + "/"}) {
                List<Zips.Entry> renamed = entries.stream().map(x -> x.withName(prefix + x.name())).toList();
                Outcome o = load(".keras with entries under " + prefix, "slip.keras", Zips.write(renamed), null);
                assertTrue(o.keepsPromise(), o.toString());
                assertNoSlip(slip);
                List<Zips.Entry> extra = new ArrayList<>(entries);
                extra.add(0, new Zips.Entry("../../../../../../../tmp/" + slip, "x".getBytes()));
                o = load(".keras with an extra entry ../../../../../../../tmp/" + slip, "slip.keras", Zips.write(extra), null);
                assertTrue(o.keepsPromise(), o.toString());
                assertNoSlip(slip);
            }
        }
    }

    private void assertNoSlip(String slip) {
        for (Path d = dir; d != null; d = d.getParent()) {
            assertFalse(Files.exists(d.resolve(slip)), "zip slip: " + d.resolve(slip) + " was created");
        }
        assertFalse(Files.exists(Path.of("/tmp", slip)), "zip slip: /tmp/" + slip + " was created");
        assertFalse(Files.exists(Path.of(System.getProperty("java.io.tmpdir"), slip)), "zip slip into java.io.tmpdir");
    }

    // ---- HDF5 and Keras configs -----------------------------------------------------------

    @ParameterizedTest(name = "dims {0}")
    @ValueSource(strings = {"5,5,1,1099511627776", "2147483647,2147483647,1,6", "0,5,1,6", "9223372036854775807,5,1,6", "-1,5,1,6", "5,5,1,7"})
    void hdf5DatasetWithAbsurdDimensionsIsRefused(String dims) throws IOException {
        long[] patched = Stream.of(dims.split(",")).mapToLong(Long::parseLong).toArray();
        Path h5 = sharedOrSkip("keras3/lenet5_seeded_k3.h5");
        byte[] b = patchAll(Files.readAllBytes(h5), new long[] {5, 5, 1, 6}, patched);
        assertRefused(load("lenet5_seeded_k3.h5, first conv kernel dims (5,5,1,6) -> (" + dims + ")", "dims.h5", b, null));

        Path keras = sharedOrSkip("keras3/lenet5_seeded_k3.keras");
        List<Zips.Entry> e = new ArrayList<>(Zips.read(keras));
        for (int i = 0; i < e.size(); i++) {
            if (e.get(i).name().equals("model.weights.h5")) {
                e.set(i, e.get(i).withData(patchAll(e.get(i).data(), new long[] {5, 5, 1, 6}, patched)));
            }
        }
        assertRefused(load("lenet5_seeded_k3.keras, model.weights.h5 conv kernel dims -> (" + dims + ")", "dims.keras", Zips.write(e), null));
    }

    @Test
    void hdf5DenseKernelWithHugeDimensionIsRefused() throws IOException {
        Path h5 = sharedOrSkip("keras3/lenet5_seeded_k3.h5");
        byte[] b = patchAll(Files.readAllBytes(h5), new long[] {120, 84}, new long[] {1L << 40, 84});
        assertRefused(load("lenet5_seeded_k3.h5, dense kernel dims (120,84) -> (2^40,84)", "dense.h5", b, null));
        b = patchAll(Files.readAllBytes(h5), new long[] {120, 84}, new long[] {1L << 31, 1L << 31});
        assertRefused(load("lenet5_seeded_k3.h5, dense kernel dims (120,84) -> (2^31,2^31)", "dense.h5", b, null));
    }

    @Test
    void hdf5ContiguousDataSizeLieIsRefused() throws IOException {
        Path h5 = sharedOrSkip("keras3/lenet5_seeded_k3.h5");
        byte[] original = Files.readAllBytes(h5);
        int n = 0;
        for (Landmarks.Field f : Landmarks.of(original).fields) {
            if (f.what().equals("hdf5 contiguous data size") || f.what().equals("hdf5 contiguous data address")) {
                byte[] b = original.clone();
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(f.offset(), 1L << 40);
                Outcome o = load("lenet5_seeded_k3.h5, " + f.what() + " at " + f.offset() + " = 2^40", "layout.h5", b, null);
                assertTrue(o.keepsPromise(), o.toString());
                n++;
            }
        }
        assertTrue(n > 0, "found no layout message to patch");
    }

    /** Hostile config.json contents, written lazily to a stream (the largest inflates to 70 MB). */
    /**
     * Size fields that an HDF5 library reads and then allocates: each set to a lie, in every place
     * the file has one. The first three, just under the limits jhdf checks, were OutOfMemoryErrors
     * found by the fuzzer; backend-keras now checks them against the file size.
     */
    @ParameterizedTest(name = "{0} = {1}")
    @org.junit.jupiter.params.provider.CsvSource({
            "hdf5 datatype element size, 8421504", "hdf5 local heap data size, 2147483647", "hdf5 global heap collection size, 2147483647",
            "hdf5 datatype element size, 2147483647", "hdf5 local heap data size, 1099511627776",
            "hdf5 global heap collection size, 1099511627776", "hdf5 attribute datatype size, 65535",
            "hdf5 attribute dataspace size, 65535", "hdf5 end of file address, 1099511627776"})
    void hdf5SizeFieldThatLiesIsRefused(String field, long value) throws IOException {
        checkSizeLie(field, String.valueOf(value), "keras3/lenet5_seeded_k3.h5", "keras3/lenet5_seeded_k3.weights.h5");
    }

    /**
     * Object headers that go on past the end of the file, which HDF5 itself refuses ("addr
     * overflow"), in every place, in .h5 and .keras alike: refused by name, or (a header the loader
     * never opens) loaded with the true weights, and either way with work bounded by the file's
     * bytes. Fuzz case weights_conv2d_tensorflow_2.h5#1106 (a continuation of 104 bytes bit-flipped
     * to 33,554,536) loaded after jhdf had allocated 32 MB and read the file's last 104 bytes
     * 322,000 times over. {@code end} is the file's length.
     */
    @ParameterizedTest(name = "{0} = {1}")
    @org.junit.jupiter.params.provider.CsvSource({"hdf5 continuation length, 33554536", "hdf5 continuation length, end",
            "hdf5 continuation length, 1099511627776", "hdf5 continuation address, end-8", "hdf5 continuation address, 1099511627776"})
    void hdf5HeaderPastTheEndOfTheFileIsRefused(String field, String value) throws IOException {
        checkSizeLie(field, value, "keras3/lenet5_seeded_k3.h5", "keras3/lenet5_seeded_k3.weights.h5",
                "third-party/dl4j/weights_conv2d_tensorflow_2.h5", "keras3/lenet5_seeded_k3.keras");
    }

    /** Above what loading and one prediction of these fixtures allocate (under 16 MB, most of it the zip and predictor buffers), below the 32 MB more that #1106 cost. */
    static final long MAX_LOAD_ALLOCATION = 24L << 20;

    /**
     * Chunks that decode to more than their dataset holds, which HDF5 itself never writes for a
     * fixed-size dataset: jhdf allocated each chunk's claimed size before decoding it (537 MB for
     * a 12 KB file with chunk dimensions (2^24, 3)).
     */
    @ParameterizedTest(name = "{0} = {1}")
    @org.junit.jupiter.params.provider.CsvSource({"hdf5 chunk dim 0, 65536", "hdf5 chunk dim 0, 16777216", "hdf5 chunk dim 1, 16777216",
            "hdf5 chunk dim 0, 4294967295"})
    void hdf5ChunksLargerThanTheirDatasetAreRefused(String field, String value) throws IOException {
        checkSizeLie(field, value, "hostile/filters_gzip.h5", "hostile/filters_lzf.h5", "hostile/unwritten.h5");
    }

    /**
     * Sets every {@code field} of each fixture (in a .keras, of its model.weights.h5) to {@code value}:
     * refused by name, or loaded with the true weights, allocating less than {@link #MAX_LOAD_ALLOCATION}.
     * Fixtures under {@code hostile/} are testdata's Dense(2 -> 3) weights files, the others ../shared's.
     */
    private void checkSizeLie(String field, String value, String... fixtures) throws IOException {
        for (String fixture : fixtures) {
            boolean hostile = fixture.startsWith("hostile/");
            Path file = hostile ? TestFiles.testdata().resolve(fixture) : sharedOrSkip(fixture);
            List<Zips.Entry> zip = fixture.endsWith(".keras") ? Zips.read(file) : null;
            int entry = zip == null ? -1 : java.util.stream.IntStream.range(0, zip.size())
                    .filter(i -> zip.get(i).name().equals("model.weights.h5")).findFirst().orElseThrow();
            byte[] original = zip == null ? Files.readAllBytes(file) : zip.get(entry).data();
            long v = value.startsWith("end") ? original.length - (value.length() > 3 ? Long.parseLong(value.substring(4)) : 0) : Long.parseLong(value);
            LoadOptions options = hostile ? new LoadOptions(CraftedFilesTest.DENSE_2_3, lenet5.tensor.Shape.flat(2), null)
                    : fixture.endsWith(".weights.h5")
                    ? LoadOptions.DEFAULTS.withArchitecture(Lenet5.load(sharedOrSkip("keras3/lenet5_seeded_k3.h5"))) : LoadOptions.DEFAULTS;
            int n = 0;
            for (Landmarks.Field f : Landmarks.of(original).fields) {
                if (f.what().equals(field)) {
                    byte[] b = original.clone();
                    for (int i = 0; i < f.width(); i++) {
                        b[f.offset() + i] = (byte) (v >>> (8 * i));
                    }
                    if (zip != null) {
                        List<Zips.Entry> patched = new ArrayList<>(zip);
                        patched.set(entry, zip.get(entry).withData(b));
                        b = Zips.write(patched);
                    }
                    Path p = write("size" + fixture.substring(fixture.lastIndexOf('.')), b);
                    long[] allocated = {0};
                    String what = fixture + ", " + field + " at " + f.offset() + " = " + v;
                    Outcome o = run(what, () -> {
                        long before = allocatedBytes();
                        try {
                            return Fuzzer.loadAndPredict(p, options);
                        } finally {
                            allocated[0] = allocatedBytes() - before;
                        }
                    });
                    assertTrue(o.keepsPromise(), o + "\n" + o.stackTrace());
                    assertTrue(allocated[0] < MAX_LOAD_ALLOCATION, what + ": allocated " + allocated[0] + " bytes");
                    if (o.verdict() == Outcome.Verdict.REFUSED) {
                        assertTrue(o.error().getMessage().contains(p.toString()), o.error().getMessage());
                    } else {
                        assertSameWeights(Lenet5.load(file, options), Lenet5.load(p, options), what);
                    }
                    n++;
                }
            }
            assertTrue(n > 0, "no '" + field + "' in " + fixture);
        }
    }

    static Stream<Arguments> kerasConfigs() {
        int deep = 100_000;
        String head = "{\"class_name\":\"Sequential\",\"config\":{\"name\":\"s\",\"layers\":[";
        String denseHead = head + "{\"class_name\":\"Dense\",\"config\":{\"name\":\"d\",\"units\":10,\"kernel_initializer\":";
        return Stream.of(
                config(deep + " nested arrays", "[".repeat(deep) + "]".repeat(deep)),
                config(deep + " nested objects", "{\"a\":".repeat(deep) + "1" + "}".repeat(deep)),
                config("a layer config nested 5,000 deep", denseHead + "{\"config\":".repeat(5000) + "{}" + "}".repeat(5000) + "}}]}}"),
                config("a layer config nested 900 deep (under Jackson's default limit of 1000)",
                        denseHead + "{\"config\":".repeat(900) + "{}" + "}".repeat(900) + "}}]}}"),
                config("Sequential nested in Sequential 900 deep", head.repeat(900) + "]}}".repeat(900)),
                Arguments.of("10^6 Activation layers", (Zips.Content) out -> {
                    out.write(head.getBytes(StandardCharsets.UTF_8));
                    for (int i = 0; i < 1_000_000; i++) {
                        out.write(String.format("%s{\"class_name\":\"Activation\",\"config\":{\"name\":\"a%d\",\"activation\":\"linear\"}}",
                                i == 0 ? "" : ",", i).getBytes(StandardCharsets.UTF_8));
                    }
                    out.write("]}}".getBytes(StandardCharsets.UTF_8));
                }),
                Arguments.of("a 10^7-digit number as filters", (Zips.Content) out -> {
                    out.write((head + "{\"class_name\":\"Conv2D\",\"config\":{\"name\":\"c\",\"filters\":").getBytes(StandardCharsets.UTF_8));
                    byte[] nines = new byte[1_000_000];
                    java.util.Arrays.fill(nines, (byte) '9');
                    for (int i = 0; i < 10; i++) {
                        out.write(nines);
                    }
                    out.write(",\"kernel_size\":[5,5]}}]}}".getBytes(StandardCharsets.UTF_8));
                }),
                config("layers is a string", "{\"class_name\":\"Sequential\",\"config\":{\"name\":\"s\",\"layers\":\"x\"}}"),
                config("config is null", "{\"class_name\":\"Sequential\",\"config\":null}"),
                config("not JSON", "\u0000\u0001garbage"),
                config("empty", ""),
                config("a JSON number 1e999999", "1e999999"));
    }

    private static Arguments config(String what, String json) {
        return Arguments.of(what, (Zips.Content) out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "config.json: {0}")
    @MethodSource("kerasConfigs")
    void kerasConfigAbuseIsRefused(String what, Zips.Content json) throws IOException {
        Path keras = sharedOrSkip("keras3/lenet5_seeded_k3.keras");
        List<Zips.Entry> e = new ArrayList<>(Zips.read(keras));
        for (int i = 0; i < e.size(); i++) {
            if (e.get(i).name().equals("config.json")) {
                e.set(i, Zips.deflating("config.json", json));
            }
        }
        byte[] file = Zips.write(e);
        Outcome o = load(".keras config.json: " + what + " (" + (file.length >> 10) + " KiB file)", "config.keras", file, null,
                what.startsWith("10^6") || what.contains("10^7") ? 5 * BOUND_MS : BOUND_MS);
        assertRefused(o);
    }

    /** A legacy .h5 whose model_config attribute is hostile ({@link KerasH5}; jhdf writes the attribute, which must stay under its 59 KB limit). */
    static Stream<Arguments> h5ModelConfigs() {
        String head = "{\"class_name\":\"Sequential\",\"config\":{\"name\":\"s\",\"layers\":[";
        return Stream.of(
                Arguments.of("20,000 nested arrays", "[".repeat(20_000) + "]".repeat(20_000)),
                Arguments.of("8,000 nested objects", "{\"a\":".repeat(8_000) + "1" + "}".repeat(8_000)),
                Arguments.of("Sequential nested in Sequential 600 deep", head.repeat(600) + "]}}".repeat(600)),
                Arguments.of("a Dense with units -1", head + "{\"class_name\":\"Dense\",\"config\":{\"name\":\"d\",\"units\":-1}}]}}"),
                Arguments.of("a Conv2D with 2^31-1 filters and a 2^31-1 kernel", head
                        + "{\"class_name\":\"InputLayer\",\"config\":{\"batch_input_shape\":[null,28,28,1]}},"
                        + "{\"class_name\":\"Conv2D\",\"config\":{\"name\":\"c\",\"filters\":2147483647,\"kernel_size\":[2147483647,2147483647]}}]}}"),
                Arguments.of("an input shape of 2^31-1 x 2^31-1 x 2^31-1", head
                        + "{\"class_name\":\"InputLayer\",\"config\":{\"batch_input_shape\":[null,2147483647,2147483647,2147483647]}},"
                        + "{\"class_name\":\"Flatten\",\"config\":{\"name\":\"f\"}}]}}"),
                Arguments.of("an input shape of 65536 x 65536 x 1 (a 16 GiB activation)", head
                        + "{\"class_name\":\"InputLayer\",\"config\":{\"batch_input_shape\":[null,65536,65536,1]}},"
                        + "{\"class_name\":\"Activation\",\"config\":{\"name\":\"a\",\"activation\":\"tanh\"}}]}}"),
                Arguments.of("an input shape of 16384 x 16384 x 1 (1 GiB per image)", head
                        + "{\"class_name\":\"InputLayer\",\"config\":{\"batch_input_shape\":[null,16384,16384,1]}},"
                        + "{\"class_name\":\"AveragePooling2D\",\"config\":{\"name\":\"p\",\"pool_size\":[16384,16384]}}]}}"),
                Arguments.of("model_config is a number", "42"),
                Arguments.of("model_config is invalid UTF-8-free garbage", "\u0001\u0002{{{{"));
    }

    @ParameterizedTest(name = "model_config: {0}")
    @MethodSource("h5ModelConfigs")
    void h5ModelConfigAbuseKeepsThePromise(String what, String json) throws IOException {
        KerasH5 h5 = new KerasH5();
        h5.config = json;
        Path p = h5.write(dir.resolve("config.h5"));
        byte[] bytes = Files.readAllBytes(p);
        Files.delete(p);
        Outcome o = load(".h5 model_config: " + what, "config.h5", bytes, null);
        assertTrue(o.keepsPromise(), o + (o.error() == null ? "" : "\n" + o.stackTrace()));
    }

    // ---- not model files at all ---------------------------------------------------------------

    @Test
    void emptyFileIsRefused() throws IOException {
        for (String name : new String[] {"empty.pt", "empty.h5", "empty.keras", "empty"}) {
            assertRefused(load("empty file " + name, name, new byte[0], null));
        }
    }

    @Test
    void randomBytesAreRefused() throws IOException {
        Random r = new Random(7);
        byte[][] heads = {{}, {'P', 'K', 3, 4}, {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20,
                0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e}, {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}, {(byte) 0x80, 2}};
        String[] names = {"random", "random zip head", "random after legacy magic", "random after HDF5 signature", "random after PROTO 2"};
        for (int i = 0; i < heads.length; i++) {
            for (int size : new int[] {16, 1024, 1 << 20}) {
                byte[] b = new byte[size];
                r.nextBytes(b);
                System.arraycopy(heads[i], 0, b, 0, heads[i].length);
                for (String ext : new String[] {".pt", ".h5", ".keras"}) {
                    Outcome o = load(names[i] + ", " + size + " bytes, " + ext, "random" + ext, b, TorchFiles.ARCH);
                    assertRefused(o);
                }
            }
        }
    }

    @Test
    void directoryMissingFileAndDevicesAreRefused() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("model.pt"));
        assertRefused(record("a directory named model.pt", () -> Lenet5.load(sub)));
        assertRefused(record("a missing file", () -> Lenet5.load(dir.resolve("missing.pt"))));
        Path zero = dir.resolve("zero.pt");
        Files.createSymbolicLink(zero, Path.of("/dev/zero"));
        assertRefused(record("a symlink to /dev/zero", () -> Lenet5.load(zero)));
        Path urandom = dir.resolve("urandom.h5");
        Files.createSymbolicLink(urandom, Path.of("/dev/urandom"));
        assertRefused(record("a symlink to /dev/urandom", () -> Lenet5.load(urandom)));
        Path dangling = dir.resolve("dangling.pt");
        Files.createSymbolicLink(dangling, dir.resolve("nowhere"));
        assertRefused(record("a dangling symlink", () -> Lenet5.load(dangling)));
    }

    @Test
    void sparseMultiGigabyteFilesAreRefusedQuickly() throws IOException {
        byte[][] heads = {{'P', 'K', 3, 4}, {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20,
                0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e}, {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}};
        String[] ext = {".pt", ".pt", ".h5"};
        for (int i = 0; i < heads.length; i++) {
            Path p = dir.resolve("sparse" + i + ext[i]);
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.write(heads[i]);
                f.setLength(3L << 30); // 3 GiB of holes: no disk used
            }
            assertRefused(record("3 GiB sparse file starting " + ext[i] + " magic " + hex(heads[i]), () -> Lenet5.load(p, LoadOptions.DEFAULTS.withArchitecture(TorchFiles.ARCH))));
            Files.delete(p);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void assertSameWeights(lenet5.model.Sequential expected, lenet5.model.Sequential actual, String what) {
        assertEquals(expected.weights().size(), actual.weights().size(), what);
        for (int i = 0; i < expected.weights().size(); i++) {
            assertArrayEquals(expected.weights().get(i).data(), actual.weights().get(i).data(), what + ": weight " + i);
        }
    }

    private Outcome load(String what, String name, byte[] bytes, lenet5.model.Sequential arch) throws IOException {
        return load(what, name, bytes, arch, BOUND_MS);
    }

    private Outcome load(String what, String name, byte[] bytes, lenet5.model.Sequential arch, long boundMs) throws IOException {
        Path p = write(name, bytes);
        LoadOptions options = LoadOptions.DEFAULTS.withArchitecture(arch);
        Outcome o = run(what, () -> Fuzzer.loadAndPredict(p, options), boundMs);
        assertArrayEquals(bytes, Files.readAllBytes(p), what + ": the reader modified its input");
        Files.delete(p);
        return o;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static Outcome record(String what, java.util.concurrent.Callable<?> task) {
        return run(what, task, BOUND_MS);
    }

    private static Outcome run(String what, java.util.concurrent.Callable<?> task) {
        return run(what, task, BOUND_MS);
    }

    private static Outcome run(String what, java.util.concurrent.Callable<?> task, long boundMs) {
        Outcome o;
        try (Guard g = new Guard(boundMs)) {
            o = g.run(task);
        }
        REPORT.add(what, o);
        return o;
    }

    static void assertRefused(Outcome o) {
        if (o.verdict() != Outcome.Verdict.REFUSED) {
            fail("expected a lenet5 exception, got " + o + (o.error() == null ? "" : "\n" + o.stackTrace()));
        }
    }

    /** Replaces every occurrence of {@code from} (as consecutive little-endian int64) by {@code to}. */
    static byte[] patchAll(byte[] b, long[] from, long[] to) {
        ByteBuffer pattern = ByteBuffer.allocate(8 * from.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : from) {
            pattern.putLong(v);
        }
        ByteBuffer replacement = ByteBuffer.allocate(8 * to.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : to) {
            replacement.putLong(v);
        }
        byte[] out = b.clone();
        int found = 0;
        for (int at = Landmarks.indexOf(out, pattern.array()); at >= 0; at = Landmarks.indexOf(out, pattern.array(), at + 1)) {
            System.arraycopy(replacement.array(), 0, out, at, replacement.capacity());
            found++;
        }
        assertTrue(found > 0, "dims not found in the file");
        return out;
    }

    static Path sharedOrSkip(String relative) {
        return TestFiles.sharedFixtures().resolve(relative);
    }

    static Path sharedOrNull(String relative) {
        Path shared = FuzzFixtures.sharedOrNull();
        return shared == null ? null : shared.resolve(relative);
    }

    static String tanhArchitecture() throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newInputStream(TestFiles.testdata().resolve("torch/lenet5_tanh_state_dict.properties"))) {
            p.load(in);
        }
        return p.getProperty("architecture");
    }

    private static long[] ones(int n) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(4, b.length); i++) {
            sb.append(String.format("%02x", b[i]));
        }
        return sb.toString();
    }
}
