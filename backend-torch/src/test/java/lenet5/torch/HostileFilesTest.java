package lenet5.torch;

import lenet5.layout.Layout;
import lenet5.CorruptFileException;
import lenet5.Lenet5;
import lenet5.Lenet5Exception;
import lenet5.LoadOptions;
import lenet5.UnsafeContentException;
import lenet5.UnsupportedFormatException;
import lenet5.model.Sequential;
import lenet5.tensor.Shape;
import lenet5.testing.Pickle;
import lenet5.testing.TorchFiles;
import lenet5.torch.nn.TorchSyntax;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hand-made hostile pickles, zips and legacy files: each must end, fast, in the right lenet5
 * exception naming the file and the problem, with nothing executed or allocated on the file's say-so.
 */
class HostileFilesTest {
    /** A weights-only architecture for one 1x1 Linear, so honest twins of these files load. */
    static final Sequential ARCH = TorchSyntax.parse("Sequential(Flatten(), Linear(1, 1, bias=False))", Shape.flat(1));
    static final Duration FAST = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    private Lenet5Exception refuse(String name, byte[] content, Class<? extends Lenet5Exception> type, String... words) throws IOException {
        Path f = Files.write(tmp.resolve(name), content);
        Lenet5Exception e = assertTimeoutPreemptively(FAST, () -> {
            try {
                Lenet5.load(f, LoadOptions.DEFAULTS.withArchitecture(ARCH));
            } catch (Lenet5Exception x) {
                return x;
            }
            return fail("loaded " + name + " instead of refusing it");
        });
        assertInstanceOf(type, e, e.toString());
        assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "mentions '" + w + "': " + e.getMessage());
        }
        System.out.println(name + ": " + e.getMessage());
        return e;
    }

    private static byte[] zipped(byte[] pickle) {
        return TorchFiles.zip("archive", pickle, Map.of("0", TorchFiles.floats(1f)));
    }

    @Test
    void honestTwinsLoad() throws IOException {
        long[] one = {1, 1};
        for (boolean legacy : new boolean[] {false, true}) {
            byte[] pickle = TorchFiles.stateDict(1, one, one, legacy);
            byte[] file = legacy ? TorchFiles.legacy(pickle, 1, new float[] {0.5f}) : TorchFiles.zip("archive", pickle, Map.of("0", TorchFiles.floats(0.5f)));
            Path f = Files.write(tmp.resolve(legacy ? "honest_legacy.pt" : "honest.pt"), file);
            Sequential m = Lenet5.load(f, LoadOptions.DEFAULTS.withArchitecture(ARCH));
            assertEquals(0.5f, m.weights().get(0).data()[0]);
            try (var p = m.newPredictor(Layout.NCHW)) {
                assertEquals(1f, p.predict(new float[] {2f})[0]);
            }
        }
    }

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({"os,system", "posix,system", "nt,system", "subprocess,Popen", "subprocess,check_output", "builtins,eval",
            "builtins,exec", "builtins,getattr", "__builtin__,eval", "__builtin__,getattr", "shutil,rmtree", "socket,socket",
            "torch.serialization,load", "torch,load", "numpy,load", "importlib,import_module", "sys,exit", "pickle,loads",
            "webbrowser,open", "mylib,run_anything"})
    void dangerousGlobalsAreRefusedOnSight(String module, String name) throws IOException {
        String q = module + "." + name;
        // GLOBAL + REDUCE at the top, as a malicious "model" would do.
        refuse("global.pt", zipped(Pickle.proto(2).global(module, name).str("echo pwned").op(0x85).op('R').stop()),
                UnsafeContentException.class, q);
        // STACK_GLOBAL (protocol 4), hidden inside a state_dict value.
        byte[] p4 = Pickle.proto(4).global("collections", "OrderedDict").op(')').op('R').op('(').shortStr("w")
                .shortStr(module).shortStr(name).op(0x93).shortStr("x").op(0x85).op('R').op('u').stop();
        refuse("stack_global.pt", zipped(p4), UnsafeContentException.class, q);
        // The legacy format too.
        refuse("legacy_global.pt", TorchFiles.legacy(Pickle.proto(2).global(module, name).op(')').op('R').stop(), 1, new float[] {1}),
                UnsafeContentException.class, q);
    }

    @Test
    void aUserClassMayBeInstantiatedAsDataButNeverCalled() throws IOException {
        refuse("call_user_class.pt", zipped(Pickle.proto(2).global("mymodule", "Evil").str("x").op(0x85).op('R').stop()),
                UnsafeContentException.class, "mymodule.Evil", "would run its code");
        refuse("inst.pt", zipped(Pickle.proto(0).ops("(S'ls'\nimymodule\nEvil\n.").unfinished()), UnsafeContentException.class, "mymodule.Evil");
        // NEWOBJ + BUILD of a torch.nn class just records data; a lone Tanh is not a state_dict or a useful model.
        refuse("module_of_nothing.pt", zipped(Pickle.proto(2).global("torch.nn.modules.activation", "Tanh").op(')').op(0x81)
                .op('}').op('b').stop()), UnsupportedFormatException.class, "not a torch.nn.Module");
    }

    @Test
    void quantizedTensorsAreUnsupportedNotUnsafe() throws IOException {
        refuse("q.pt", zipped(Pickle.proto(2).global("torch._utils", "_rebuild_qtensor").op(')').op('R').stop()),
                UnsupportedFormatException.class, "quantized", "torch._utils._rebuild_qtensor");
        Lenet5Exception e = refuse("q8.pt", zipped(Pickle.proto(2).global("torch", "QInt8Storage").stop()),
                UnsupportedFormatException.class, "quantized");
        assertTrue(!(e instanceof UnsafeContentException));
    }

    @Test
    void nonFloatWeightsAreUnsupported() throws IOException {
        long[] one = {1, 1};
        refuse("int64.pt", TorchFiles.zip("archive", TorchFiles.stateDict("LongStorage", 1, one, one, false), Map.of("0", new byte[8])),
                UnsupportedFormatException.class, "tensor 'w' has dtype int64");
        refuse("bool.pt", TorchFiles.zip("archive", TorchFiles.stateDict("BoolStorage", 1, one, one, false), Map.of("0", new byte[1])),
                UnsupportedFormatException.class, "dtype bool");
    }

    @Test
    void unknownOpcode() throws IOException {
        refuse("opcode.pt", zipped(Pickle.proto(2).op(0xff).stop()), CorruptFileException.class, "unknown pickle opcode 0xff");
        refuse("opcode_legacy.pt", TorchFiles.legacy(Pickle.proto(2).op(0xfe).unfinished(), 1, new float[] {1}), CorruptFileException.class,
                "unknown pickle opcode 0xfe");
    }

    @Test
    void truncatedStreams() throws IOException {
        long[] one = {1, 1};
        byte[] good = TorchFiles.stateDict(1, one, one, false);
        for (int cut : new int[] {1, 2, 10, good.length / 2, good.length - 1}) {
            refuse("cut" + cut + ".pt", zipped(Arrays.copyOf(good, cut)), CorruptFileException.class, "truncated");
        }
        refuse("long_string.pt", zipped(Pickle.proto(2).op('X').le32(0x7fffffff).ops("abc").unfinished()), CorruptFileException.class,
                "truncated", "2147483647 bytes");
        refuse("long_bytes8.pt", zipped(Pickle.proto(4).op(0x8e).le64(Long.MAX_VALUE).unfinished()), CorruptFileException.class);
        refuse("empty_pickle.pt", zipped(new byte[0]), CorruptFileException.class, "truncated");
        byte[] legacy = TorchFiles.legacy(TorchFiles.stateDict(1, one, one, true), 1, new float[] {1});
        for (int cut : new int[] {10, 20, 200, legacy.length - 3}) {
            refuse("legacy_cut" + cut + ".pt", Arrays.copyOf(legacy, cut), CorruptFileException.class);
        }
    }

    @Test
    void memoIndexOutOfRange() throws IOException {
        refuse("memo.pt", zipped(Pickle.proto(2).op('h', 200).stop()), CorruptFileException.class, "memo index 200");
        refuse("memo_long.pt", zipped(Pickle.proto(2).op('j').le32(0xffffffffL).stop()), CorruptFileException.class, "memo index 4294967295");
    }

    @Test
    void storagesThatClaimMoreThanTheFileHolds() throws IOException {
        long[] one = {1, 1};
        refuse("1e12.pt", zipped(TorchFiles.stateDict(1_000_000_000_000L, one, one, false)), CorruptFileException.class,
                "1000000000000 elements", "4 bytes");
        refuse("1e12_view.pt", zipped(TorchFiles.stateDict(1, new long[] {1_000_000, 1_000_000}, new long[] {1_000_000, 1}, false)),
                CorruptFileException.class, "size [1000000, 1000000] has more than");
        refuse("huge_numel.pt", zipped(TorchFiles.stateDict(Long.MAX_VALUE / 2, one, one, false)), CorruptFileException.class);
        refuse("negative_numel.pt", zipped(TorchFiles.stateDict(-1, one, one, false)), CorruptFileException.class);
        refuse("stride_past.pt", zipped(TorchFiles.stateDict(1, new long[] {2, 1}, new long[] {1L << 31, 1}, false)),
                CorruptFileException.class, "reaches element");
        refuse("negative_stride.pt", zipped(TorchFiles.stateDict(1, one, new long[] {-1, -1}, false)), CorruptFileException.class, "negative stride");
        refuse("size_wraps.pt", zipped(TorchFiles.stateDict(1, new long[] {1L << 62, 4}, new long[] {0, 0}, false)), CorruptFileException.class);
        refuse("missing_storage.pt", TorchFiles.zip("archive", TorchFiles.stateDict(1, one, one, false), Map.of()), CorruptFileException.class,
                "missing");
    }

    @Test
    void legacyStorageCountsThatOverflow() throws IOException {
        long[] one = {1, 1};
        byte[] pickle = TorchFiles.stateDict(1, one, one, true);
        for (long count : new long[] {2, 1L << 62, Long.MAX_VALUE, -1, 0}) {
            refuse("legacy_count.pt", TorchFiles.legacy(pickle, count, new float[] {1}), CorruptFileException.class, "record says " + count);
        }
        refuse("legacy_numel_overflow.pt", TorchFiles.legacy(TorchFiles.stateDict(1L << 62, one, one, true), 1L << 62, new float[] {1}),
                CorruptFileException.class);
    }

    @Test
    void containersOfABillionItemsNeverGetBuilt() throws IOException {
        byte[] marks = new byte[200_000];
        Arrays.fill(marks, (byte) '(');
        refuse("marks.pt", zipped(Pickle.proto(2).bytes(marks).stop()), CorruptFileException.class, "nested MARKs");
        byte[] dups = new byte[2_000_000];
        Arrays.fill(dups, (byte) '2');
        refuse("dups.pt", zipped(Pickle.proto(2).op('N').bytes(dups).stop()), CorruptFileException.class, "stack exceeds");
        // Deep nesting that a recursive reader would overflow on: 500,000 one-item tuples.
        byte[] nest = new byte[500_000];
        Arrays.fill(nest, (byte) 0x85);
        refuse("nested.pt", zipped(Pickle.proto(2).op('N').bytes(nest).stop()), UnsupportedFormatException.class, "no model found");
        refuse("list_key.pt", zipped(Pickle.proto(2).op('}').op(']').op('N').op('s').stop()), CorruptFileException.class,
                "unusable dict key");
    }

    @Test
    void zipEntriesOutsideTheArchive() throws IOException {
        long[] one = {1, 1};
        byte[] pickle = TorchFiles.stateDict(1, one, one, false);
        for (String prefix : new String[] {"../../evil", "a/../../evil", "/tmp/evil", "..\\..\\evil", "C:/evil"}) {
            refuse("slip.pt", TorchFiles.zip(prefix, pickle, Map.of("0", TorchFiles.floats(1))), UnsafeContentException.class, "outside the archive");
        }
    }

    @Test
    void notTorchFilesAtAll() throws IOException {
        refuse("empty.pt", new byte[0], UnsupportedFormatException.class);
        refuse("text.pt", "hello".getBytes(), UnsupportedFormatException.class);
        refuse("zip_without_pickle.pt", onlyVersion(), UnsupportedFormatException.class, "data.pkl");
        refuse("bad_zip.pt", Arrays.copyOf(zipped(Pickle.proto(2).op('N').stop()), 40), CorruptFileException.class);
    }

    private static byte[] onlyVersion() {
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bo)) {
            z.putNextEntry(new java.util.zip.ZipEntry("archive/version"));
            z.write('3');
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bo.toByteArray();
    }
}
