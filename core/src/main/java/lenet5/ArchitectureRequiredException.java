package lenet5;

import java.nio.file.Path;

/**
 * The file holds weights but no architecture that can run: a state_dict, a Keras weights-only
 * file, a model whose {@code forward()} is Python code the file does not contain. The caller must
 * supply one. The message says how in this API's terms ({@link LoadOptions#withArchitecture});
 * a tool with its own option for it words the same remedy with {@link #problem(String)}. Where
 * the file lets the reader draft the architecture (e.g. the modules in registration order),
 * {@link #suggestion()} has it as text to check and pass; it is never run without that.
 */
public class ArchitectureRequiredException extends ArchitectureMismatchException {
    private static final String API = "LoadOptions.withArchitecture";
    private final String reason;
    private final String remedy;
    private final String draftNote;
    private final String suggestion;

    /**
     * @param reason     why the file's architecture is missing or unknown
     * @param remedy     what to pass, ending where the means of passing it is named (e.g. "pass the architecture with")
     * @param draftNote  what {@code suggestion} is and what to check in it; null without one
     * @param suggestion architecture text drafted from the file, or null
     */
    public ArchitectureRequiredException(Path file, String reason, String remedy, String draftNote, String suggestion) {
        super(file, compose(reason, remedy, API, draftNote, suggestion));
        this.reason = reason;
        this.remedy = remedy;
        this.draftNote = draftNote;
        this.suggestion = suggestion;
    }

    /** Architecture text drafted from the file for the user to check, or null. */
    public String suggestion() {
        return suggestion;
    }

    /** The problem (without the file) with the remedy naming {@code means}, e.g. the option {@code --arch}. */
    public String problem(String means) {
        return compose(reason, remedy, means, draftNote, suggestion);
    }

    private static String compose(String reason, String remedy, String means, String draftNote, String suggestion) {
        return reason + "; " + remedy + " " + means + (suggestion == null ? "" : "; " + draftNote + ": " + suggestion);
    }
}
