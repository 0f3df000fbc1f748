package io.connectors.source.postgresql;

import io.connectors.spi.ChangeEvent;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.SyncCursor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns pgoutput messages into change events for the configured tables (work in progress for issue 21).
 *
 * <ul>
 *   <li>An insert or update is an upsert of a deferred document: its id from the row's key, built by the source's
 *       {@code fetch} by key, so a change is mapped exactly as a full sync maps the row ({@code PgTypes}), TOASTed
 *       values it did not send included; a row gone since is not built, and the runtime deletes it. Its version is the
 *       one a full sync lists for the row the transaction wrote ({@link PgQueries#version}: the transaction's id is the
 *       row's {@code xmin}), so a change the index already holds (streamed again after a restart, or read by the full
 *       sync it follows) is recognised unchanged and not read again. A row written in a subtransaction has the
 *       subtransaction's id: its change is read and written again, harmlessly.</li>
 *   <li>An update that changed the key deletes the old id first; a delete deletes its key's id.</li>
 *   <li>A commit is a checkpoint at the position after it.</li>
 *   <li>A truncate of a synced table ends the stream with {@link CursorExpiredException}: the runtime runs a full sync,
 *       which deletes its documents, and follows from there.</li>
 *   <li>So does a table whose columns changed (added, dropped, retyped: its relation message differs from the columns
 *       the documents were built with): rows the change rewrote have no changes in the WAL (a column added with a
 *       default), and the index mapping follows the columns, so a full sync reads the table again.</li>
 * </ul>
 * Tables outside the configuration are ignored. Not thread-safe: one stream, in order.
 */
final class PgChanges {
    /** The key of a cursor of the real-time mode: the position to resume from, in the server's text form. */
    static final String LSN = "lsn";

    /**
     * A synced table as the stream describes it: its target, where its key columns are in the tuples, and its
     * {@link PgQueries#fingerprint}.
     */
    private record Mapped(PgTarget target, int[] keyColumns, String fingerprint) {
    }

    private final Map<String, PgTarget> byRelation = new HashMap<>();
    private final Map<String, List<PgOutput.Column>> signatures;
    private final Map<Integer, Mapped> relations = new HashMap<>();
    /** The transaction's id, as the rows it writes carry it in {@code xmin}. */
    private long xid;

    /**
     * @param targets    the synced tables
     * @param signatures each table's columns (name, type, modifier) when its documents' mapping was made, by relation;
     *                   a relation message that differs ends the stream (see the class description)
     */
    PgChanges(List<PgTarget> targets, Map<String, List<PgOutput.Column>> signatures) {
        for (PgTarget t : targets) {
            t.relation().ifPresent(r -> byRelation.put(r, t));
        }
        this.signatures = Map.copyOf(signatures);
    }

    /** The cursor of a position. */
    static SyncCursor cursor(long lsn) {
        return new SyncCursor(Map.of(LSN, PgOutput.lsn(lsn)));
    }

    /** The events of one message, in order. */
    List<ChangeEvent> of(PgOutput.Message message) {
        if (message instanceof PgOutput.Begin begin) {
            xid = begin.xid();
            return List.of();
        }
        if (message instanceof PgOutput.Commit commit) {
            return List.of(new ChangeEvent.Checkpoint(cursor(commit.endLsn())));
        }
        if (message instanceof PgOutput.Relation relation) {
            relation(relation);
            return List.of();
        }
        if (message instanceof PgOutput.Insert insert) {
            Mapped m = relations.get(insert.oid());
            return m == null ? List.of() : List.of(upsert(m, insert.row()));
        }
        if (message instanceof PgOutput.Update update) {
            Mapped m = relations.get(update.oid());
            if (m == null) {
                return List.of();
            }
            List<ChangeEvent> out = new ArrayList<>(2);
            List<PgOutput.Value> before = !update.oldKey().isEmpty() ? update.oldKey() : update.oldRow();
            if (!before.isEmpty()) {
                String oldId = id(m, before);
                if (!oldId.equals(id(m, update.row()))) {
                    out.add(new ChangeEvent.Delete(oldId));
                }
            }
            out.add(upsert(m, update.row()));
            return out;
        }
        if (message instanceof PgOutput.Delete delete) {
            Mapped m = relations.get(delete.oid());
            return m == null ? List.of() : List.of(new ChangeEvent.Delete(id(m, delete.key())));
        }
        if (message instanceof PgOutput.Truncate truncate) {
            for (int oid : truncate.oids()) {
                Mapped m = relations.get(oid);
                if (m != null) {
                    throw new CursorExpiredException("table " + m.target().name() + " was truncated: a full sync deletes"
                            + " its documents, then the stream follows from there");
                }
            }
        }
        return List.of();
    }

    private void relation(PgOutput.Relation relation) {
        PgTarget target = byRelation.get(PgTarget.ident(relation.schema()) + "." + PgTarget.ident(relation.table()));
        if (target == null) {
            relations.remove(relation.oid());
            return;
        }
        List<PgOutput.Column> known = signatures.get(target.relation().orElseThrow());
        if (known != null) {
            String changed = difference(known, relation.columns());
            if (!changed.isEmpty()) {
                throw new CursorExpiredException("the columns of table " + target.name() + " changed (" + changed
                        + "): a full sync reads it again, then the stream follows from there");
            }
        }
        int[] keys = new int[target.key().size()];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = -1;
            for (int c = 0; c < relation.columns().size(); c++) {
                if (relation.columns().get(c).name().equals(target.key().get(k))) {
                    keys[k] = c;
                }
            }
            if (keys[k] < 0) {
                throw new SourceException("table " + target.name() + " no longer has its key column '"
                        + target.key().get(k) + "': a full sync is needed to follow it", null, false);
            }
        }
        relations.put(relation.oid(), new Mapped(target, keys, PgQueries.fingerprint(target)));
    }

    /** How {@code now} differs from {@code before} by name, type and modifier, for a message; empty when alike. */
    static String difference(List<PgOutput.Column> before, List<PgOutput.Column> now) {
        Map<String, PgOutput.Column> old = new java.util.LinkedHashMap<>();
        before.forEach(c -> old.put(c.name(), c));
        List<String> changes = new ArrayList<>();
        for (PgOutput.Column c : now) {
            PgOutput.Column was = old.remove(c.name());
            if (was == null) {
                changes.add("added " + c.name());
            } else if (was.typeOid() != c.typeOid() || was.typeModifier() != c.typeModifier()) {
                changes.add(c.name() + " retyped");
            }
        }
        old.keySet().forEach(name -> changes.add("dropped " + name));
        return String.join(", ", changes);
    }

    private ChangeEvent upsert(Mapped m, List<PgOutput.Value> row) {
        List<String> key = key(m, row);
        return new ChangeEvent.Upsert(SourceDocument.deferred(PgQueries.id(m.target().name(), key),
                PgQueries.version(Long.toUnsignedString(xid), m.fingerprint()), new PgQueries.Listed(m.target(), key)));
    }

    private static String id(Mapped m, List<PgOutput.Value> tuple) {
        return PgQueries.id(m.target().name(), key(m, tuple));
    }

    private static List<String> key(Mapped m, List<PgOutput.Value> tuple) {
        List<String> key = new ArrayList<>(m.keyColumns().length);
        for (int i = 0; i < m.keyColumns().length; i++) {
            int column = m.keyColumns()[i];
            if (column >= tuple.size() || !(tuple.get(column) instanceof PgOutput.Text text)) {
                // Only the replica identity's columns come with a delete or a key change.
                throw new SourceException("table " + m.target().name() + ": the change does not carry key column '"
                        + m.target().key().get(i) + "'; the key must be the table's replica identity (its primary key,"
                        + " or REPLICA IDENTITY FULL)", null, false);
            }
            key.add(text.text());
        }
        return key;
    }
}
