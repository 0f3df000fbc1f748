package io.connectors.spi;

import reactor.core.publisher.Flux;

/**
 * Capability: the source knows who may see its documents (document-level security).
 *
 * <p>Documents then carry their allowed identities in a field, and this flux describes each identity
 * (a user with its groups and roles), for an access-control index.
 */
public interface AccessControlSource {

    /** The name of the document field listing the identities allowed to see a document. */
    default String permissionsField() {
        return "_allow_access_control";
    }

    /**
     * Streams one document per identity (id = the user or group identity; fields = the identities it expands
     * to). Lazy, backpressured and cancellable like {@link BaseDataSource#getDocs}.
     */
    Flux<SourceDocument> getAccessControl();
}
