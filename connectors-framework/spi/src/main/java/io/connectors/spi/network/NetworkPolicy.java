package io.connectors.spi.network;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Which hosts a source may connect to. The runtime builds one from the {@code network:} section of the configuration
 * and hands it to every source in its {@link io.connectors.spi.SourceContext}; a source checks each host it is about to connect to,
 * before connecting, with {@link #check}, or routes its driver's name resolution through {@link #resolve}.
 *
 * <h2>Rules</h2>
 * Each rule is a host name ({@code db.example.com}, matched case-insensitively), a wildcard name ({@code *.example.com}:
 * any name below example.com, not example.com itself), an IP address ({@code 10.1.2.3}, {@code ::1}) or a CIDR network
 * ({@code 10.0.0.0/8}, {@code fd00::/8}). Name rules match the name as configured (or as a driver is about to resolve
 * it); address rules match every address the name resolves to. A host is allowed only when every one of its addresses
 * is, decided in this order:
 * <ol>
 *   <li>an address or name matching a <em>denied</em> rule is refused;</li>
 *   <li>an address in a network {@linkplain #DENIED_BY_DEFAULT denied by default} (link-local, where cloud metadata
 *       services answer, and the unspecified addresses) is refused unless an <em>address</em> rule of the allowed list
 *       inside that network contains it: a name rule such as {@code *.internal} does not open
 *       {@code metadata.google.internal}, nor does {@code 0.0.0.0/0};</li>
 *   <li>with an allowed list, an address is allowed when the name or the address matches one of its rules, and refused
 *       otherwise;</li>
 *   <li>without one, the address is allowed.</li>
 * </ol>
 * Loopback ({@code 127.0.0.0/8}, {@code ::1}) is allowed by default, because local development and tests need it; a
 * deployment that must not reach the daemon's own machine denies it, or lists what it allows.
 *
 * <h2>Limits</h2>
 * A name is resolved when it is checked; the driver resolves it again when it connects. A DNS server that answers
 * differently the second time (DNS rebinding) can get past a check, unless the source connects to the addresses the
 * check returned or its driver resolves through {@link #resolve}. The JVM's own cache of name lookups (30 s by
 * default) narrows that window but does not close it.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class NetworkPolicy {
    /** The networks no source reaches unless an address rule of the allowed list contains the address, and why. */
    public static final Map<String, String> DENIED_BY_DEFAULT = defaultDenials();

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final NetworkPolicy DEFAULTS = new NetworkPolicy(List.of(), List.of(), NetworkPolicy::systemLookup);

    /** Resolves a name to its addresses, blocking; {@link InetAddress#getAllByName} unless replaced. */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> lookup(String host) throws UnknownHostException;
    }

    private final List<Rule> allowed;
    private final List<Rule> denied;
    private final List<Rule> deniedByDefault;
    private final Resolver resolver;

    private NetworkPolicy(List<Rule> allowed, List<Rule> denied, Resolver resolver) {
        this.allowed = List.copyOf(allowed);
        this.denied = List.copyOf(denied);
        this.deniedByDefault = DENIED_BY_DEFAULT.keySet().stream().map(Rule::parse).toList();
        this.resolver = resolver;
    }

    /**
     * A validator for a source's host field ({@code ConfigField.validate}): a host name or IP address by its syntax only
     * (no scheme, port, path or spaces); whether it resolves and may be reached is checked at connection time.
     */
    public static java.util.function.Function<Object, String> hostField() {
        return v -> v instanceof String s ? hostProblem(s.trim())
                .map(problem -> "'" + s + "' is not a host name or IP address: " + problem).orElse(null) : null;
    }

    /** No allowed list, no denied rules: every host is allowed except the networks {@linkplain #DENIED_BY_DEFAULT denied by default}. */
    public static NetworkPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * @param allowedHosts rules of the allowed list; empty for none (every host not denied is allowed)
     * @param deniedHosts  rules of the denied list
     * @throws IllegalArgumentException naming the first invalid rule (see {@link #ruleProblem})
     */
    public static NetworkPolicy of(List<String> allowedHosts, List<String> deniedHosts) {
        return new NetworkPolicy(parseAll(allowedHosts), parseAll(deniedHosts), NetworkPolicy::systemLookup);
    }

    /** This policy with names resolved by {@code resolver} (tests; hosts with a name service of their own). */
    public NetworkPolicy withResolver(Resolver resolver) {
        return new NetworkPolicy(allowed, denied, Objects.requireNonNull(resolver, "resolver"));
    }

    /**
     * Why {@code rule} is not a valid rule (a host name, {@code *.suffix}, an IP address or a CIDR network), if it is
     * not: for configuration errors that name the key.
     */
    public static Optional<String> ruleProblem(String rule) {
        try {
            Rule.parse(rule);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Whether an allowed list is given (then only what it lists is reached). */
    public boolean restricted() {
        return !allowed.isEmpty();
    }

    /** The allowed list's rules, as given. */
    public List<String> allowedHosts() {
        return allowed.stream().map(Rule::text).toList();
    }

    /** The denied rules, as given (the networks denied by default not included). */
    public List<String> deniedHosts() {
        return denied.stream().map(Rule::text).toList();
    }

    /**
     * Checks that {@code host:port} is a valid address the policy allows.
     *
     * <p>Lazy: nothing happens before subscription. The host is resolved on {@code Schedulers.boundedElastic()} (name
     * resolution blocks); each subscription resolves again. Emits the addresses the host resolved to, every one of them
     * allowed, or signals a {@link NetworkPolicyException} naming {@code field}, the host, the refused address and the
     * rule that refused it.
     *
     * @param field the configuration field that gave the host ({@code host}, {@code connection_string}), for messages
     * @param host  a host name or IP address (an IPv6 address may be bracketed); no scheme, port or path
     * @param port  the port, 1 to 65535
     */
    public Mono<List<InetAddress>> check(String field, String host, int port) {
        return Mono.fromCallable(() -> resolve(field, host, port)).subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * As {@link #check}, blocking the calling thread while the name resolves: for drivers that resolve names on
     * threads of their own through a hook (MongoDB's {@code InetAddressResolver}), and for {@link #check}.
     *
     * @throws NetworkPolicyException when the host is invalid, does not resolve or is refused
     */
    public List<InetAddress> resolve(String field, String host, int port) {
        if (port < 1 || port > 65_535) {
            throw new NetworkPolicyException(NetworkPolicyException.Reason.INVALID, field, host, field + ": port " + port
                    + " of host '" + host + "' is out of range (1 to 65535)", null);
        }
        return resolve(field, host);
    }

    /** As {@link #resolve(String, String, int)} without a port to check. */
    public List<InetAddress> resolve(String field, String host) {
        Optional<String> problem = hostProblem(host);
        if (problem.isPresent()) {
            throw new NetworkPolicyException(NetworkPolicyException.Reason.INVALID, field, host, field + ": '" + host
                    + "' is not a host name or IP address: " + problem.get(), null);
        }
        String name = unbracket(host);
        List<InetAddress> addresses;
        try {
            addresses = List.copyOf(resolver.lookup(name));
        } catch (UnknownHostException e) {
            throw new NetworkPolicyException(NetworkPolicyException.Reason.UNRESOLVABLE, field, host, field + ": host '"
                    + host + "' does not resolve to an address (unknown host)", e);
        }
        if (addresses.isEmpty()) {
            throw new NetworkPolicyException(NetworkPolicyException.Reason.UNRESOLVABLE, field, host, field + ": host '"
                    + host + "' resolves to no address", null);
        }
        for (InetAddress address : addresses) {
            refusal(name, address).ifPresent(why -> {
                String what = isLiteral(name) ? "host '" + host + "'" : "host '" + host + "' resolves to "
                        + address.getHostAddress() + ", which";
                throw new NetworkPolicyException(NetworkPolicyException.Reason.REFUSED, field, host, field + ": " + what
                        + " is refused by the network policy: " + why, null);
            });
        }
        return addresses;
    }

    /** Why the policy refuses {@code address} reached by the name {@code host}, if it does. */
    Optional<String> refusal(String host, InetAddress address) {
        String name = normalName(host);
        for (Rule rule : denied) {
            if (rule.matches(name, address)) {
                return Optional.of("it matches network.denied_hosts entry '" + rule.text() + "'");
            }
        }
        for (Rule rule : deniedByDefault) {
            if (rule.matches(name, address)) {
                // Only a rule inside the denied network opens it: 0.0.0.0/0 ("all of IPv4") must not open the metadata service.
                boolean opened = allowed.stream().anyMatch(a -> a.isNetwork() && a.prefix >= rule.prefix
                        && a.matches(name, address));
                return opened ? Optional.empty() : Optional.of("denied by default (" + rule.text() + ": "
                        + DENIED_BY_DEFAULT.get(rule.text()) + "); list the address or its network in"
                        + " network.allowed_hosts to allow it");
            }
        }
        if (allowed.isEmpty() || allowed.stream().anyMatch(a -> a.matches(name, address))) {
            return Optional.empty();
        }
        return Optional.of("it is not in network.allowed_hosts " + allowedHosts());
    }

    /** Why {@code host} is not a host name or IP address, if it is not; no name is resolved. */
    public static Optional<String> hostProblem(String host) {
        if (host == null || host.isEmpty()) {
            return Optional.of("it is empty");
        }
        if (host.chars().anyMatch(Character::isWhitespace)) {
            return Optional.of("it contains spaces");
        }
        if (host.contains("://")) {
            return Optional.of("give the host alone, without a scheme such as postgresql://");
        }
        if (host.contains("/") || host.contains("@") || host.contains("?")) {
            return Optional.of("give the host alone, without a path, user or options");
        }
        String bare = unbracket(host);
        if (bare.contains(":")) {
            return ipv6(bare).isPresent() ? Optional.empty()
                    : Optional.of("not a valid IPv6 address (and a port goes in its own field)");
        }
        if (IPV4.matcher(bare).matches()) {
            return ipv4(bare).isPresent() ? Optional.empty() : Optional.of("not a valid IPv4 address");
        }
        String name = bare.endsWith(".") ? bare.substring(0, bare.length() - 1) : bare;
        if (name.length() > 253) {
            return Optional.of("a host name is at most 253 characters long");
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return Optional.of("host names are labels of letters, digits, '-' and '_' separated by dots");
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "NetworkPolicy[allowed_hosts=" + (allowed.isEmpty() ? "any" : allowedHosts()) + ", denied_hosts="
                + deniedHosts() + ", denied by default=" + DENIED_BY_DEFAULT.keySet() + "]";
    }

    // ----------------------------------------------------------------------------------------------------- parsing

    private static List<Rule> parseAll(List<String> rules) {
        List<Rule> out = new ArrayList<>();
        for (String rule : rules) {
            out.add(Rule.parse(rule));
        }
        return out;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String normalName(String host) {
        String name = unbracket(host).toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static boolean isLiteral(String name) {
        return name.contains(":") || IPV4.matcher(name).matches();
    }

    private static Optional<InetAddress> ipv4(String text) {
        java.util.regex.Matcher m = IPV4.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(m.group(i + 1));
            if (octet > 255 || (m.group(i + 1).length() > 1 && m.group(i + 1).startsWith("0"))) {
                return Optional.empty();
            }
            bytes[i] = (byte) octet;
        }
        return Optional.of(byAddress(bytes));
    }

    /** An IPv6 literal, parsed without a name lookup (the brackets make the JDK refuse anything but a literal). */
    private static Optional<InetAddress> ipv6(String text) {
        if (!text.contains(":") || text.contains("%") || text.contains("[") || text.contains("]")) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName("[" + text + "]"));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<InetAddress> systemLookup(String host) throws UnknownHostException {
        return Arrays.asList(InetAddress.getAllByName(host));
    }

    private static Map<String, String> defaultDenials() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("169.254.0.0/16", "IPv4 link-local, where cloud metadata services answer at 169.254.169.254");
        m.put("fe80::/10", "IPv6 link-local");
        m.put("fd00:ec2::254/128", "the AWS IPv6 metadata service");
        m.put("0.0.0.0/8", "'this network': 0.0.0.0 reaches the local machine");
        m.put("::/128", "the unspecified IPv6 address, which reaches the local machine");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** One rule: a name ({@code db.example.com}), a wildcard name ({@code *.example.com}) or a network. */
    private static final class Rule {
        private final String text;
        private final String name;
        private final byte[] network;
        private final int prefix;

        private Rule(String text, String name, byte[] network, int prefix) {
            this.text = text;
            this.name = name;
            this.network = network;
            this.prefix = prefix;
        }

        String text() {
            return text;
        }

        boolean isNetwork() {
            return network != null;
        }

        static Rule parse(String rule) {
            if (rule == null || rule.isBlank()) {
                throw new IllegalArgumentException("an empty entry; give a host name, *.domain, an IP address or a CIDR"
                        + " network such as 10.0.0.0/8");
            }
            String text = rule.trim();
            if (text.contains("://") || text.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("'" + text + "' is not a host name, *.domain, IP address or CIDR"
                        + " network: " + hostProblem(text).orElseThrow());
            }
            int slash = text.indexOf('/');
            if (slash >= 0) {
                return network(text, slash);
            }
            String bare = unbracket(text);
            Optional<InetAddress> literal = bare.contains(":") ? ipv6(bare) : ipv4(bare);
            if (literal.isPresent()) {
                byte[] bytes = literal.get().getAddress();
                return new Rule(text, null, bytes, bytes.length * 8);
            }
            if (bare.contains(":") || IPV4.matcher(bare).matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a valid IP address");
            }
            if (text.equals("*")) {
                throw new IllegalArgumentException("'*' would allow every host; leave allowed_hosts empty for that");
            }
            String name = text.startsWith("*.") ? text.substring(2) : text;
            Optional<String> problem = hostProblem(name);
            if (problem.isPresent()) {
                throw new IllegalArgumentException("'" + text + "' is not a host name, *.domain, IP address or CIDR"
                        + " network: " + problem.get());
            }
            return new Rule(text, normalName(text), null, 0);
        }

        private static Rule network(String text, int slash) {
            String base = text.substring(0, slash);
            String bits = text.substring(slash + 1);
            Optional<InetAddress> address = base.contains(":") ? ipv6(base) : ipv4(base);
            if (address.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR network: '" + base
                        + "' is not an IP address");
            }
            byte[] bytes = address.get().getAddress();
            int max = bytes.length * 8;
            int prefix;
            try {
                prefix = Integer.parseInt(bits);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max || !bits.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR network: the prefix length must be 0 to "
                        + max);
            }
            byte[] masked = mask(bytes, prefix);
            if (!Arrays.equals(masked, bytes)) {
                throw new IllegalArgumentException("'" + text + "' has bits set after its /" + prefix + " prefix; did you"
                        + " mean " + byAddress(masked).getHostAddress() + "/" + prefix + "?");
            }
            return new Rule(text, null, bytes, prefix);
        }

        boolean matches(String host, InetAddress address) {
            if (network == null) {
                return name.startsWith("*.") ? host.endsWith(name.substring(1)) : host.equals(name);
            }
            // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) comes from the JDK as an IPv4 address: IPv4 rules apply to it.
            byte[] bytes = address.getAddress();
            return bytes.length == network.length && Arrays.equals(mask(bytes, prefix), network);
        }

        private static byte[] mask(byte[] bytes, int prefix) {
            byte[] out = bytes.clone();
            for (int i = 0; i < out.length; i++) {
                int keep = Math.max(0, Math.min(8, prefix - i * 8));
                out[i] = (byte) (out[i] & (0xFF << (8 - keep)));
            }
            return out;
        }
    }
}
