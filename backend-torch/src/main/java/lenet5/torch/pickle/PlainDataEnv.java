package lenet5.torch.pickle;

import lenet5.CorruptFileException;
import lenet5.UnsafeContentException;

import java.nio.file.Path;

/** For pickles that must hold plain values only (the legacy format's headers, TorchScript's constants): any global or persistent id is refused. */
public final class PlainDataEnv implements PickleEnv {
    private final Path file;
    private final String part;

    public PlainDataEnv(Path file, String part) {
        this.file = file;
        this.part = part;
    }

    @Override
    public Object global(String module, String name) {
        throw new UnsafeContentException(file, part + ": global " + module + "." + name
                + " in a pickle that should hold plain data only; refusing to load (nothing was executed)");
    }

    @Override
    public Object call(Object callable, PyTuple args) {
        throw new CorruptFileException(file, part + ": a call in a pickle that should hold plain data only");
    }

    @Override
    public Object newObject(Object cls, PyTuple args) {
        throw new CorruptFileException(file, part + ": an object in a pickle that should hold plain data only");
    }

    @Override
    public Object persistentLoad(Object pid) {
        throw new CorruptFileException(file, part + ": a persistent id in a pickle that should hold plain data only");
    }
}
