package io.connectors.functional.chaos;

/**
 * One fault or bad input that {@code make chaos} injects. A scenario starts what it needs (Elasticsearch, the source's
 * backend, daemons) under {@link ChaosContext#work(String)}, injects its fault, checks the outcome (the sync completed
 * or failed cleanly, and a later sync left the index exactly equal to the source) and stops everything it started,
 * also when it fails.
 */
public interface ChaosScenario {

    /** Short kebab-case name, unique, used by {@code make chaos ONLY=<name>,...}. */
    String name();

    /** What is done to the system, one line, for the report table: "Elasticsearch killed mid full sync, restarted 10 s later". */
    String fault();

    /**
     * Runs the scenario. Throwing is a failed scenario whose outcome is the exception's message; a scenario that ran
     * to its end returns its result (passed or not).
     */
    ChaosResult run(ChaosContext context) throws Exception;
}
