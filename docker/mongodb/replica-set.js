// The health check of the mongodb service (docker/compose.yml), run by mongosh inside the container.
// First run: initiates the one-member replica set rs0. Every run: healthy (exit 0) only once this member is the
// primary, so the daemon and the seed step start against a writable replica set.
try {
  rs.status();
} catch (e) {
  // NotYetInitialized (94): no replica set configuration yet. The member's name must resolve for every client of
  // the replica set: mongodb is the service's name on the compose network.
  if (e.code !== 94) {
    throw e;
  }
  rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: 'mongodb:27017' }] });
  print('initiated replica set rs0 with member mongodb:27017');
}
quit(db.hello().isWritablePrimary ? 0 : 1);
