package io.connectors.functional.chaos;

import java.util.List;

/** Bad input: malformed configuration files and command lines. */
final class InputFaults {
    private InputFaults() {
    }

    static List<ChaosScenario> all() {
        return List.of();
    }
}
