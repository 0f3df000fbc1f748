package io.connectors.runtime.config;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.network.NetworkPolicy;
import java.util.List;

/** The {@code network} settings, each declared once below, bound to the {@link NetworkPolicy} sources check. */
public final class NetworkSettings {
    public static final ConfigField ALLOWED_HOSTS = ConfigField.list("allowed_hosts").defaultValue(List.of())
            .description("Empty: every host not denied. Otherwise a host is reached only when its name or every"
                    + " address it resolves to matches an entry. From the environment, one comma-separated value.");
    public static final ConfigField DENIED_HOSTS = ConfigField.list("denied_hosts").defaultValue(List.of())
            .description("Refused even when `network.allowed_hosts` lists them (names and addresses). From the"
                    + " environment, one comma-separated value.");

    /** The {@code network} settings. */
    public static final SettingsGroup GROUP = new SettingsGroup("network",
            "Which hosts sources may connect to (database servers, MongoDB members). Entries are host names, wildcards"
                    + " (`*.example.com`), IP addresses and CIDR networks. Link-local and unspecified addresses are"
                    + " refused unless listed and loopback is allowed unless denied:"
                    + " [configuration.md](configuration.md#network) gives the rules.",
            List.of(ALLOWED_HOSTS, DENIED_HOSTS));

    private NetworkSettings() {
    }

    /** The bound policy; each invalid entry is reported with its key and position, and the default policy returned. */
    static NetworkPolicy from(SettingValues values) {
        if (!values.bound(GROUP)) {
            return NetworkPolicy.defaults();
        }
        SourceConfig v = values.of(GROUP);
        List<String> allowed = v.list(ALLOWED_HOSTS);
        List<String> denied = v.list(DENIED_HOSTS);
        int before = values.problems().size();
        for (ConfigField field : List.of(ALLOWED_HOSTS, DENIED_HOSTS)) {
            List<String> rules = field == ALLOWED_HOSTS ? allowed : denied;
            for (int i = 0; i < rules.size(); i++) {
                int index = i;
                NetworkPolicy.ruleProblem(rules.get(i))
                        .ifPresent(p -> values.problem(GROUP.key(field) + "[" + index + "]: " + p));
            }
        }
        return values.problems().size() > before ? NetworkPolicy.defaults() : NetworkPolicy.of(allowed, denied);
    }
}
