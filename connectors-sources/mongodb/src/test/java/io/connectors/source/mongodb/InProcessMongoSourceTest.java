package io.connectors.source.mongodb;

/** The source's behaviour against the in-process mongo-java-server. */
class InProcessMongoSourceTest extends MongoSourceBehaviour {
    @Override
    MongoBackend backend() {
        return MongoBackend.inProcess();
    }
}
