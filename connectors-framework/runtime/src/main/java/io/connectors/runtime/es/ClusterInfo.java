package io.connectors.runtime.es;

/**
 * What {@link ElasticsearchHandle#ping()} learned about the cluster.
 *
 * @param url           where the check went: the host, or the list of hosts when there are several
 * @param clusterName   the cluster's name
 * @param status        cluster health: {@code green}, {@code yellow} or {@code red}
 * @param numberOfNodes nodes in the cluster
 * @param version       the answering node's Elasticsearch version, or {@code null} when the user may not read it
 */
public record ClusterInfo(String url, String clusterName, String status, int numberOfNodes, String version) {

    @Override
    public String toString() {
        return "cluster '" + clusterName + "' at " + url + ": status " + status + ", " + numberOfNodes
                + (numberOfNodes == 1 ? " node" : " nodes") + ", version " + (version == null ? "unknown" : version);
    }
}
