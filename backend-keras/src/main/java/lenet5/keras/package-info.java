/**
 * Keras model files, in pure Java on jhdf and Jackson.
 *
 * <p>Reads legacy HDF5 models ({@code model.save('x.h5')}) of Keras 1, Keras 2, tf.keras 2 and
 * Keras 3; weights-only files ({@code save_weights}) in the Keras 1/2 layout and Keras 3's
 * {@code .weights.h5}, bound to an architecture passed in {@link lenet5.LoadOptions}; Keras 3
 * {@code .keras} zips; and JSON architectures ({@code model.to_json()}). Writes legacy {@code .h5}
 * (in the tf.keras 2.7 form that Keras 3, tf.keras 2 and Deeplearning4j all load) and {@code .keras}.
 *
 * <p>Sub-packages by concern: {@code h5} HDF5 access and the stored weight layouts,
 * {@code config} model configs to canonical layers, {@code read} binding stored weights to
 * layers, {@code archive} the .keras zip, {@code write} canonical model to Keras files.
 * Layout conversions all go through {@link lenet5.layout.WeightLayouts}.
 */
package lenet5.keras;
