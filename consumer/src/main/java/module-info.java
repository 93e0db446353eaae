/** A program outside the lenet5 build: it depends on the published artifacts by their coordinates only. */
@SuppressWarnings("module") // the name ends in a digit
module lenet5.consumer {
    requires lenet5.core;
}
