package io.connectors.spi.network;

import io.connectors.spi.SourceContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class NetworkPolicyTest {
    /** A name service of fixed answers, so no test depends on real DNS. */
    private static final Map<String, String> NAMES = Map.of(
            "db.example.com", "10.1.2.3",
            "replica.example.com", "10.9.0.7",
            "metadata.google.internal", "169.254.169.254",
            "dual.example.com", "10.1.2.4,fe80::1",
            "v6.example.com", "2001:db8::10",
            "localhost", "127.0.0.1,::1");

    private static NetworkPolicy fake(NetworkPolicy policy) {
        return policy.withResolver(name -> {
            String host = name.toLowerCase(java.util.Locale.ROOT).replaceAll("\\.$", "");
            String addresses = NAMES.get(host);
            if (addresses == null) {
                if (host.matches("[0-9.]+") || host.contains(":")) {
                    return List.of(InetAddress.getByName(host.contains(":") ? "[" + host + "]" : host));
                }
                throw new UnknownHostException(host);
            }
            List<InetAddress> out = new java.util.ArrayList<>();
            for (String a : addresses.split(",")) {
                out.add(InetAddress.getByName(a.contains(":") ? "[" + a + "]" : a));
            }
            return out;
        });
    }

    private static NetworkPolicy policy(List<String> allowed, List<String> denied) {
        return fake(NetworkPolicy.of(allowed, denied));
    }

    private static NetworkPolicyException refusal(NetworkPolicy policy, String host) {
        try {
            policy.resolve("host", host, 5432);
        } catch (NetworkPolicyException e) {
            return e;
        }
        throw new AssertionError(host + " was allowed");
    }

    @Test
    void defaultsAllowOrdinaryAndLoopbackHostsAndReturnTheirAddresses() {
        NetworkPolicy policy = fake(NetworkPolicy.defaults());
        assertThat(policy.restricted()).isFalse();
        assertThat(policy.resolve("host", "db.example.com", 5432)).extracting(InetAddress::getHostAddress)
                .containsExactly("10.1.2.3");
        assertThat(policy.resolve("host", "localhost", 5432)).hasSize(2);
        assertThat(policy.resolve("host", "127.0.0.1", 1)).hasSize(1);
        assertThat(policy.resolve("host", "[::1]", 65_535)).hasSize(1);
    }

    @Test
    void linkLocalAndMetadataAddressesAreDeniedByDefaultWithTheRuleNamed() {
        NetworkPolicy policy = fake(NetworkPolicy.defaults());
        NetworkPolicyException e = refusal(policy, "169.254.169.254");
        assertThat(e.reason()).isEqualTo(NetworkPolicyException.Reason.REFUSED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.field()).isEqualTo("host");
        assertThat(e.host()).isEqualTo("169.254.169.254");
        assertThat(e.getMessage()).isEqualTo("host: host '169.254.169.254' is refused by the network policy: denied by"
                + " default (169.254.0.0/16: IPv4 link-local, where cloud metadata services answer at 169.254.169.254);"
                + " list the address or its network in network.allowed_hosts to allow it");
        assertThat(refusal(policy, "metadata.google.internal").getMessage())
                .startsWith("host: host 'metadata.google.internal' resolves to 169.254.169.254, which is refused");
        assertThat(refusal(policy, "fe80::1").getMessage()).contains("fe80::/10");
        assertThat(refusal(policy, "fd00:ec2::254").getMessage()).contains("AWS IPv6 metadata");
        assertThat(refusal(policy, "0.0.0.0").getMessage()).contains("0.0.0.0/8");
        assertThat(refusal(policy, "::").getMessage()).contains("::/128");
        // An IPv4-mapped IPv6 address is the IPv4 address.
        assertThat(refusal(policy, "::ffff:169.254.169.254").getMessage()).contains("169.254.0.0/16");
    }

    @Test
    void oneRefusedAddressOfSeveralRefusesTheHost() {
        assertThat(refusal(fake(NetworkPolicy.defaults()), "dual.example.com").getMessage())
                .contains("resolves to fe80:0:0:0:0:0:0:1, which is refused").contains("fe80::/10");
    }

    @Test
    void anAddressRuleOpensADefaultDenialButANameRuleDoesNot() {
        assertThat(policy(List.of("169.254.169.254"), List.of()).resolve("host", "169.254.169.254", 80)).hasSize(1);
        assertThat(policy(List.of("169.254.0.0/16"), List.of()).resolve("host", "metadata.google.internal", 80)).hasSize(1);
        assertThat(refusal(policy(List.of("*.internal"), List.of()), "metadata.google.internal").getMessage())
                .contains("denied by default");
        assertThat(refusal(policy(List.of("metadata.google.internal"), List.of()), "metadata.google.internal")
                .getMessage()).contains("denied by default");
    }

    @Test
    void anAllowListAdmitsMatchingNamesWildcardsAddressesAndNetworksOnly() {
        NetworkPolicy policy = policy(List.of("db.example.com", "*.corp.example", "10.9.0.0/16", "2001:db8::/32",
                "192.0.2.1"), List.of());
        assertThat(policy.restricted()).isTrue();
        assertThat(policy.resolve("host", "DB.Example.com.", 5432)).hasSize(1);
        assertThat(policy.resolve("host", "replica.example.com", 5432)).hasSize(1); // by its address 10.9.0.7
        assertThat(policy.resolve("host", "v6.example.com", 5432)).hasSize(1);
        assertThat(policy.resolve("host", "192.0.2.1", 5432)).hasSize(1);
        assertThat(refusal(policy, "127.0.0.1").getMessage()).isEqualTo("host: host '127.0.0.1' is refused by the"
                + " network policy: it is not in network.allowed_hosts [db.example.com, *.corp.example, 10.9.0.0/16,"
                + " 2001:db8::/32, 192.0.2.1]");
        assertThat(refusal(policy, "localhost").getMessage()).contains("resolves to 127.0.0.1");
        assertThat(refusal(policy, "10.10.0.1")).isNotNull();
        assertThat(refusal(policy, "192.0.2.2")).isNotNull();
    }

    @Test
    void wildcardsMatchSubdomainsButNotTheDomainItself() {
        NetworkPolicy policy = policy(List.of("*.example.com"), List.of());
        assertThat(policy.resolve("host", "db.example.com", 1)).hasSize(1);
        assertThat(policy.resolve("host", "replica.example.com", 1)).hasSize(1);
        NetworkPolicy withDomain = NetworkPolicy.of(List.of("*.example.com"), List.of()).withResolver(h ->
                List.of(InetAddress.getByName("10.0.0.1")));
        assertThat(withDomain.resolve("host", "a.b.example.com", 1)).hasSize(1);
        assertThatThrownBy(() -> NetworkPolicy.of(List.of("*.example.com"), List.of())
                .withResolver(h -> List.of(InetAddress.getByName("10.0.0.1"))).resolve("host", "example.com", 1))
                .isInstanceOf(NetworkPolicyException.class).hasMessageContaining("not in network.allowed_hosts");
        assertThatThrownBy(() -> NetworkPolicy.of(List.of("*.example.com"), List.of())
                .withResolver(h -> List.of(InetAddress.getByName("10.0.0.1"))).resolve("host", "badexample.com", 1))
                .isInstanceOf(NetworkPolicyException.class);
    }

    @Test
    void deniedRulesWinOverAllowedOnes() {
        NetworkPolicy policy = policy(List.of("10.0.0.0/8"), List.of("10.1.0.0/16", "replica.example.com", "::1"));
        assertThat(refusal(policy, "db.example.com").getMessage())
                .contains("it matches network.denied_hosts entry '10.1.0.0/16'");
        assertThat(refusal(policy, "replica.example.com").getMessage())
                .contains("network.denied_hosts entry 'replica.example.com'");
        assertThat(policy(List.of(), List.of("127.0.0.0/8", "::1")).deniedHosts()).containsExactly("127.0.0.0/8", "::1");
        assertThat(refusal(policy(List.of(), List.of("127.0.0.0/8", "::1")), "localhost")).isNotNull();
        assertThat(policy(List.of(), List.of("127.0.0.0/8")).resolve("host", "10.9.9.9", 1)).hasSize(1);
    }

    @Test
    void cidrMatchingHonoursThePrefixInBothFamilies() {
        NetworkPolicy v4 = policy(List.of("10.20.30.0/23"), List.of());
        assertThat(v4.resolve("h", "10.20.30.1", 1)).hasSize(1);
        assertThat(v4.resolve("h", "10.20.31.255", 1)).hasSize(1);
        assertThat(refusal(v4, "10.20.32.0")).isNotNull();
        assertThat(refusal(v4, "10.20.29.255")).isNotNull();
        assertThat(refusal(v4, "2001:db8::1")).isNotNull();
        NetworkPolicy v6 = policy(List.of("2001:db8:0:8000::/49"), List.of());
        assertThat(v6.resolve("h", "2001:db8:0:ffff::1", 1)).hasSize(1);
        assertThat(refusal(v6, "2001:db8:0:7fff::1")).isNotNull();
        assertThat(refusal(v6, "10.0.0.1")).isNotNull();
        assertThat(policy(List.of("0.0.0.0/0"), List.of()).resolve("h", "203.0.113.9", 1)).hasSize(1);
        assertThat(refusal(policy(List.of("0.0.0.0/0"), List.of()), "169.254.1.1").getMessage())
                .contains("denied by default"); // only a rule inside 169.254.0.0/16 opens it
    }

    @Test
    void portsOutsideTheRangeAndInvalidHostsAreRefusedWithoutALookup() {
        AtomicInteger lookups = new AtomicInteger();
        NetworkPolicy policy = NetworkPolicy.defaults().withResolver(h -> {
            lookups.incrementAndGet();
            return List.of(InetAddress.getByName("10.0.0.1"));
        });
        assertThatThrownBy(() -> policy.resolve("port", "db", 0)).isInstanceOf(NetworkPolicyException.class)
                .hasMessage("port: port 0 of host 'db' is out of range (1 to 65535)");
        assertThatThrownBy(() -> policy.resolve("port", "db", 65_536)).hasMessageContaining("out of range");
        for (String bad : List.of("", "db host", "postgresql://db", "db/x", "user@db", "db:5432", "-db", "db..x",
                "300.1.1.1", "010.1.1.1", "fe80::zz", "a".repeat(254))) {
            assertThatThrownBy(() -> policy.resolve("host", bad, 1)).as(bad).isInstanceOf(NetworkPolicyException.class)
                    .hasMessageStartingWith("host: '" + bad + "' is not a host name or IP address: ")
                    .extracting(e -> ((NetworkPolicyException) e).reason()).isEqualTo(NetworkPolicyException.Reason.INVALID);
        }
        assertThat(lookups).hasValue(0);
        assertThat(NetworkPolicy.hostProblem("postgresql://db")).get().asString().contains("without a scheme");
        assertThat(NetworkPolicy.hostProblem(null)).isPresent();
        assertThat(NetworkPolicy.hostProblem("db_1.internal.")).isEmpty();
    }

    @Test
    void anUnresolvableHostIsNamedAndRetryable() {
        NetworkPolicyException e = refusal(fake(NetworkPolicy.defaults()), "nowhere.example.com");
        assertThat(e.reason()).isEqualTo(NetworkPolicyException.Reason.UNRESOLVABLE);
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).isEqualTo("host: host 'nowhere.example.com' does not resolve to an address (unknown host)");
        assertThat(e.getCause()).isInstanceOf(UnknownHostException.class);
        assertThatThrownBy(() -> NetworkPolicy.defaults().withResolver(h -> List.of()).resolve("f", "empty.example", 1))
                .hasMessage("f: host 'empty.example' resolves to no address");
    }

    @Test
    void theSystemResolverAnswersForLiteralsAndFailsForReservedNames() {
        assertThat(NetworkPolicy.defaults().resolve("host", "127.0.0.1", 5432)).hasSize(1);
        assertThatThrownBy(() -> NetworkPolicy.defaults().resolve("host", "no-such-host.invalid", 5432))
                .isInstanceOf(NetworkPolicyException.class).hasMessageContaining("does not resolve");
    }

    @Test
    void checkIsLazyAndResolvesOnSubscription() {
        AtomicInteger lookups = new AtomicInteger();
        NetworkPolicy policy = NetworkPolicy.defaults().withResolver(h -> {
            lookups.incrementAndGet();
            return List.of(InetAddress.getByName("169.254.169.254"));
        });
        var check = policy.check("connection_string", "meta.example", 27017);
        assertThat(lookups).hasValue(0);
        check.as(StepVerifier::create).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NetworkPolicyException.class)
                .hasMessageContaining("connection_string: host 'meta.example' resolves to 169.254.169.254")).verify();
        check.as(StepVerifier::create).expectError(NetworkPolicyException.class).verify();
        assertThat(lookups).hasValue(2);
        NetworkPolicy.defaults().check("host", "127.0.0.1", 1).as(StepVerifier::create)
                .assertNext(a -> assertThat(a).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.1"))
                .verifyComplete();
    }

    @Test
    void invalidRulesAreRefusedWithTheReason() {
        assertThat(NetworkPolicy.ruleProblem("10.0.0.0/8")).isEmpty();
        assertThat(NetworkPolicy.ruleProblem("[::1]")).isEmpty();
        assertThat(NetworkPolicy.ruleProblem("fd00::/8")).isEmpty();
        assertThat(NetworkPolicy.ruleProblem("*.example.com")).isEmpty();
        assertThat(NetworkPolicy.ruleProblem("10.0.0.0/33")).get().asString()
                .isEqualTo("'10.0.0.0/33' is not a CIDR network: the prefix length must be 0 to 32");
        assertThat(NetworkPolicy.ruleProblem("fd00::/129")).get().asString().contains("0 to 128");
        assertThat(NetworkPolicy.ruleProblem("10.0.0.0/x")).get().asString().contains("prefix length");
        assertThat(NetworkPolicy.ruleProblem("10.0.0.1/24")).get().asString()
                .isEqualTo("'10.0.0.1/24' has bits set after its /24 prefix; did you mean 10.0.0.0/24?");
        assertThat(NetworkPolicy.ruleProblem("db.example.com/8")).get().asString().contains("is not an IP address");
        assertThat(NetworkPolicy.ruleProblem("300.0.0.1")).get().asString().contains("not a valid IP address");
        assertThat(NetworkPolicy.ruleProblem("fe80::zz")).get().asString().contains("not a valid IP address");
        assertThat(NetworkPolicy.ruleProblem("*")).get().asString().contains("leave allowed_hosts empty");
        assertThat(NetworkPolicy.ruleProblem("http://db")).get().asString().contains("not a host name");
        assertThat(NetworkPolicy.ruleProblem(" ")).get().asString().contains("empty entry");
        assertThat(NetworkPolicy.ruleProblem(null)).isPresent();
        assertThatThrownBy(() -> NetworkPolicy.of(List.of("10.0.0.0/33"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theContextCarriesThePolicyAndDefaultsToTheValidatingOne() {
        assertThat(new SourceContext("c").network()).isSameAs(NetworkPolicy.defaults());
        NetworkPolicy policy = NetworkPolicy.of(List.of("db"), List.of("10.0.0.0/8"));
        assertThat(new SourceContext("c", policy).network()).isSameAs(policy);
        assertThat(policy.toString()).contains("allowed_hosts=[db]").contains("denied_hosts=[10.0.0.0/8]");
        assertThat(NetworkPolicy.defaults().toString()).contains("allowed_hosts=any");
        assertThatThrownBy(() -> NetworkPolicy.defaults().withResolver(null)).isInstanceOf(NullPointerException.class);
    }
}
