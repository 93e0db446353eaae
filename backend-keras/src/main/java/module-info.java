/** Reads and writes Keras files (.h5, .weights.h5, .keras); found through {@link lenet5.spi.ModelFormat}. */
@SuppressWarnings("module") // the name ends in a digit: it is the project's name
module lenet5.keras {
    requires lenet5.core;
    requires io.jhdf;
    // What jhdf (an automatic module, so it declares nothing) needs on the module path.
    requires org.slf4j;
    requires org.apache.commons.lang3;
    requires com.fasterxml.jackson.databind;

    provides lenet5.spi.ModelFormat with lenet5.keras.KerasFormat;
}
