package lenet5.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;
import java.util.function.Consumer;

/**
 * The commands' picocli models, declared in code instead of with annotations: reading annotations
 * makes the JDK generate a proxy class per annotation type and parse every field's, about 65 ms of
 * a one-image {@code predict} (README, Performance). Each option writes its command's field through
 * a setter, so a command reads plain fields as it would with {@code @Option}.
 */
final class Specs {
    private Specs() {
    }

    /** A command with -h/--help and -V/--version; its parsed options are in {@code command}'s fields. */
    static CommandSpec command(Object command, String name, String[] description, String... footer) {
        CommandSpec s = CommandSpec.wrapWithoutInspection(command).name(name).versionProvider(new Main.Version());
        s.usageMessage().description(description).footer(footer);
        s.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        s.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
        return s;
    }

    /** An option taking a value; without one the field gets null. */
    static <T> OptionSpec option(String name, String label, Class<T> type, Consumer<T> field, String description) {
        return option(name, label, type, null, field, description);
    }

    /** An option taking a value, {@code defaultValue} when absent ({@code ${DEFAULT-VALUE}} in the description shows it). */
    static <T> OptionSpec option(String name, String label, Class<T> type, String defaultValue, Consumer<T> field, String description) {
        return bind(OptionSpec.builder(name).paramLabel(label).type(type).defaultValue(defaultValue), field)
                .description(description).build();
    }

    /** An option without a value: the field is true when it is given. */
    static OptionSpec flag(String name, Consumer<Boolean> field, String description) {
        return bind(OptionSpec.builder(name).type(boolean.class), field).description(description).build();
    }

    /** The positional parameter at {@code index}, required. */
    static <T> PositionalParamSpec positional(String index, String label, Class<T> type, Consumer<T> field, String... description) {
        return bind(PositionalParamSpec.builder().index(index).arity("1").required(true).paramLabel(label).type(type), field)
                .description(description).build();
    }

    /** The positional parameters at {@code index} ("1..*"), {@code arity} of them ("1..2": required), into a list. */
    static <T> PositionalParamSpec positionals(String index, String arity, String label, Class<T> type, Consumer<List<T>> field,
                                               String description) {
        return bind(PositionalParamSpec.builder().index(index).arity(arity).required(!arity.startsWith("0"))
                .paramLabel(label).type(List.class).auxiliaryTypes(type), field).description(description).build();
    }

    private static <T> OptionSpec.Builder bind(OptionSpec.Builder builder, Consumer<T> field) {
        Binding<T> binding = new Binding<>(field);
        return builder.getter(binding).setter(binding);
    }

    private static <T> PositionalParamSpec.Builder bind(PositionalParamSpec.Builder builder, Consumer<T> field) {
        Binding<T> binding = new Binding<>(field);
        return builder.getter(binding).setter(binding);
    }

    /**
     * Holds the value picocli works with (it adds to lists in place) and copies every new one to the
     * field. The null picocli sets before parsing is not copied: each run parses into a new command
     * object, whose fields already hold their initial values (and a primitive cannot take null).
     */
    private static final class Binding<T> implements IGetter, ISetter {
        private final Consumer<T> field;
        private T value;

        Binding(Consumer<T> field) {
            this.field = field;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <R> R get() {
            return (R) value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <R> R set(R newValue) {
            R old = (R) value;
            value = (T) newValue;
            if (value != null) {
                field.accept(value);
            }
            return old;
        }
    }
}
