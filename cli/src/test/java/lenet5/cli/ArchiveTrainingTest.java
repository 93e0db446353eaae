package lenet5.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/**
 * The launcher ignores a failed training run (the archive is only a speed-up), so a renamed test file
 * would silently cost every start its archive: each command's training must succeed on the committed data.
 */
class ArchiveTrainingTest {
    @ParameterizedTest
    @ValueSource(strings = {"predict", "inspect", "convert"})
    void trainingRunsOnTheCommittedData(String command) {
        assertDoesNotThrow(() -> ArchiveTraining.main(new String[] {command, Path.of("..").toAbsolutePath().normalize().toString()}));
    }
}
