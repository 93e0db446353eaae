package lenet5.torch.pickle;

/** A reference to a Python class or function by name, as the GLOBAL opcodes name it. It is only a name: nothing is looked up or loaded. */
public record PyGlobal(String module, String name) {
    public String qualified() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return qualified();
    }
}
