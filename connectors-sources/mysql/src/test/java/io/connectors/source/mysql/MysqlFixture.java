package io.connectors.source.mysql;

import io.connectors.testkit.functional.SourceFixture;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What {@code make ftest NAME=mysql} and {@code make bench NAME=mysql} need: a real backend filled with N
 * documents (12,000 by default), mutated, and read back as the ground truth the index must equal. Registered in
 * {@code src/test/resources/META-INF/services/io.connectors.testkit.functional.SourceFixture}; the harness finds it
 * there. Blocking is fine here: this is test-harness code, called from one thread.
 */
public final class MysqlFixture implements SourceFixture {

    @Override
    public String type() {
        return MysqlDataSourceProvider.TYPE;
    }

    @Override
    public void start(Path workDir) {
        throw notWrittenYet("start(workDir)", "start or reach a real mysql backend (a local service, an in-process"
                + " server, or Testcontainers where a Docker engine answers)");
    }

    @Override
    public void load(int count) {
        throw notWrittenYet("load(count)", "replace the backend's content with exactly count documents, in batches");
    }

    @Override
    public Map<String, Object> connectorConfiguration() {
        throw notWrittenYet("connectorConfiguration()", "return the connector's configuration block for the loaded"
                + " backend, e.g. Map.of(\"host\", host, \"port\", port)");
    }

    @Override
    public TypeZoo loadTypeZoo() {
        throw notWrittenYet("loadTypeZoo()", "add every kind of value the source can produce (every column or field type,"
                + " edge values, odd names) in two tables or collections whose same-named fields differ in type, and return"
                + " the configuration that syncs exactly them, their number and the fields Elasticsearch may leave"
                + " unindexed (see SourceFixture.loadTypeZoo and docs/DEVELOPING.md)");
    }

    @Override
    public Mutation mutate(int adds, int updates, int deletes) {
        throw notWrittenYet("mutate(adds, updates, deletes)", "add, change and delete that many distinct documents"
                + " and return their ids");
    }

    @Override
    public Iterator<Truth> groundTruth() {
        throw notWrittenYet("groundTruth()", "stream every document's id and content digest, in ascending order of id"
                + " as unsigned UTF-8 bytes, read with the backend's own client");
    }

    @Override
    public String digestOfIndexed(Map<String, Object> source) {
        throw notWrittenYet("digestOfIndexed(source)", "compute the digest of an indexed _source the way groundTruth()"
                + " computes it from the backend");
    }

    @Override
    public List<String> digestFields() {
        throw notWrittenYet("digestFields()", "name the _source fields digestOfIndexed reads");
    }

    @Override
    public long readAllWithOwnDriver() {
        throw notWrittenYet("readAllWithOwnDriver()", "read every document with the backend's own client and count"
                + " them (the benchmark's source ceiling)");
    }

    @Override
    public void close() {
        // Stop what start() started.
    }

    private static UnsupportedOperationException notWrittenYet(String method, String whatToDo) {
        return new UnsupportedOperationException("MysqlFixture." + method + " is not written yet: " + whatToDo
                + ". See docs/functional-tests.md.");
    }
}
