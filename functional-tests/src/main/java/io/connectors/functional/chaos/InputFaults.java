package io.connectors.functional.chaos;

import java.util.List;

/** Bad input: malformed configuration files and command lines; secrets kept out of everything a run prints or stores. */
final class InputFaults {
    private InputFaults() {
    }

    static List<ChaosScenario> all() {
        return List.of(new BadInputScenario(), new SecretsScanScenario());
    }
}
