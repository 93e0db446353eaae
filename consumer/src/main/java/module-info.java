/** A program outside the lenet5 build: it depends on the published artifacts by their coordinates only. */
module lenet5.consumer {
    requires lenet5.core;
}
