package io.connectors.source.mysql;

import io.connectors.testkit.functional.SourceFixtureTest;
import java.util.Map;

/**
 * The test kit's checks of the {@code make ftest} fixture against its real backend: found by ServiceLoader, a ground
 * truth in order that equals the oracle below, mutations that do what they say, reloads, and 12,000 documents. Add
 * what is specific to your backend (odd ids, realistic content) as tests here.
 */
class MysqlFixtureTest extends SourceFixtureTest<MysqlFixture> {

    @Override
    protected MysqlFixture createFixture() {
        return new MysqlFixture();
    }

    @Override
    protected int count() {
        // Enough to reach every kind of id and content the fixture makes; few enough for a unit test.
        return 1_000;
    }

    @Override
    protected Map<String, Map<String, Object>> indexedSources() {
        throw new UnsupportedOperationException("MysqlFixtureTest.indexedSources() is not written yet: read every"
                + " document of the loaded backend, by id, as a faithful source indexes it (with the source itself, or"
                + " mapping what the backend's own client returns), without the fixture's code. See docs/DEVELOPING.md.");
    }
}
