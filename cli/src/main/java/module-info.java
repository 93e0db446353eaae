/** The lenet5 command line: predict, inspect, convert, compare, serve. */
@SuppressWarnings("module") // the name ends in a digit: it is the project's name
module lenet5.cli {
    requires lenet5.core;
    requires lenet5.serve;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;

    // picocli reads the commands' annotated fields reflectively.
    opens lenet5.cli to info.picocli;
}
