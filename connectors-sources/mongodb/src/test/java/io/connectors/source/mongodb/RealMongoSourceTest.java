package io.connectors.source.mongodb;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The source's behaviour against a real MongoDB replica set, at MONGODB_URI; skipped when it is not set. */
class RealMongoSourceTest extends MongoSourceBehaviour {
    @Override
    MongoBackend backend() {
        MongoBackend real = MongoBackend.real();
        assumeTrue(real != null, "MONGODB_URI is not set: skipping the tests against a real MongoDB"
                + " (set it to a replica set, e.g. mongodb://localhost:27017/?replicaSet=rs0)");
        return real;
    }
}
