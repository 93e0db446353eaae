package lenet5.torch.pickle;

/**
 * What a pickle's names and calls mean. The {@link Unpickler} only moves values around; every
 * GLOBAL, call (REDUCE), instantiation (NEWOBJ) and persistent id goes through here, so an
 * environment decides what is allowed. Implementations throw a {@link lenet5.Lenet5Exception}
 * to refuse.
 */
public interface PickleEnv {
    /** GLOBAL / STACK_GLOBAL: resolve {@code module.name} to a value (a marker), or refuse. */
    Object global(String module, String name);

    /** REDUCE, INST and OBJ: {@code callable(*args)}. */
    Object call(Object callable, PyTuple args);

    /** NEWOBJ and NEWOBJ_EX: {@code cls.__new__(cls, *args)}. */
    Object newObject(Object cls, PyTuple args);

    /** BINPERSID / PERSID: the object a persistent id stands for (a tensor storage in torch files). */
    Object persistentLoad(Object pid);

    /** BUILD on a value that is neither a {@link PyObject} nor a {@link PyDict}; return false to refuse. */
    default boolean build(Object target, Object state) {
        return false;
    }
}
