package org.yizhan.hub.updates;

import org.yizhan.protocol.UpdateBundle;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code yizhan-hub update keygen|sign|verify}: the release team's side of agent updates, run where the release
 * key is kept (not on the hub). {@code keygen} makes an Ed25519 key pair as OpenSSL writes it (the private key
 * 0600); {@code sign} makes a signed bundle of an agent jar; {@code verify} checks one against public keys, as the
 * hub and the stations will. Exit status 0 done, 1 refused or failed, 2 bad arguments.
 */
public final class UpdateCommand {

    static final String USAGE = """
            Usage: java -jar yizhan-hub.jar update keygen --out DIR
                   java -jar yizhan-hub.jar update sign --key FILE --jar FILE --version VERSION --out FILE
                   java -jar yizhan-hub.jar update verify --keys FILE BUNDLE
              keygen  make the union's release key: DIR/release.key (private, 0600: keep it off the hub, offline)
                      and DIR/release.pub (give it to the hub as update-keys, and to stations' images)
              sign    make a signed agent update of the agent's jar (yizhan-agent.jar) as VERSION
              verify  check a bundle's signature and jar against the public keys in FILE
            Keys are PEM files; OpenSSL's own (openssl genpkey -algorithm ed25519) work as well.
            """;

    private final PrintStream out;
    private final PrintStream err;

    private UpdateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return new UpdateCommand(out, err).run(args);
    }

    private int run(List<String> args) {
        if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
            (args.isEmpty() ? err : out).print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        Map<String, String> opts = new HashMap<>();
        List<String> rest = new java.util.ArrayList<>();
        Set<String> known = Set.of("--out", "--key", "--jar", "--version", "--keys");
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (known.contains(a)) {
                if (i + 1 >= args.size()) {
                    return usage(a + " needs a value");
                }
                opts.put(a, args.get(++i));
            } else if (a.startsWith("--")) {
                return usage("unknown option " + a);
            } else {
                rest.add(a);
            }
        }
        try {
            return switch (args.get(0)) {
                case "keygen" -> keygen(opts, rest);
                case "sign" -> sign(opts, rest);
                case "verify" -> verify(opts, rest);
                default -> usage("unknown command 'update " + args.get(0) + "'");
            };
        } catch (IOException | GeneralSecurityException e) {
            err.println("Failed: " + e.getMessage());
            return 1;
        }
    }

    private int usage(String problem) {
        err.println("Error: " + problem);
        err.print(USAGE);
        return 2;
    }

    private int keygen(Map<String, String> o, List<String> rest) throws IOException, GeneralSecurityException {
        if (!o.containsKey("--out") || !rest.isEmpty() || o.size() != 1) {
            return usage("keygen takes --out DIR");
        }
        Path dir = Path.of(o.get("--out"));
        Path key = dir.resolve("release.key");
        Path pub = dir.resolve("release.pub");
        if (Files.exists(key) || Files.exists(pub)) {
            err.println("Refused: " + dir + " holds a release key already; a new one would orphan every station "
                    + "that trusts the old one");
            return 1;
        }
        Files.createDirectories(dir);
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        g.initialize(NamedParameterSpec.ED25519);
        KeyPair pair = g.generateKeyPair();
        Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(key, UpdateBundle.pem(pair.getPrivate()), StandardCharsets.US_ASCII);
        Files.writeString(pub, UpdateBundle.pem(pair.getPublic()), StandardCharsets.US_ASCII);
        out.println("Release key " + UpdateBundle.keyId(pair.getPublic()) + ":");
        out.println("  private: " + key + " (mode 0600; keep it offline, never on the hub)");
        out.println("  public:  " + pub + " (the hub's update-keys; stations pin it when provisioned)");
        return 0;
    }

    private int sign(Map<String, String> o, List<String> rest) throws IOException, GeneralSecurityException {
        if (!o.keySet().containsAll(List.of("--key", "--jar", "--version", "--out")) || !rest.isEmpty()) {
            return usage("sign takes --key FILE --jar FILE --version VERSION --out FILE");
        }
        String version = o.get("--version");
        if (!UpdateBundle.VERSION.matcher(version).matches()) {
            return usage("--version '" + version + "' must match " + UpdateBundle.VERSION.pattern());
        }
        Path jar = Path.of(o.get("--jar"));
        if (!Files.isRegularFile(jar)) {
            return usage("--jar " + jar + " is not a file");
        }
        PrivateKey key = UpdateBundle.privateKey(Files.readString(Path.of(o.get("--key")), StandardCharsets.US_ASCII));
        PublicKey pub = publicOf(key);
        Path target = Path.of(o.get("--out"));
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        UpdateBundle.Manifest m;
        try (OutputStream os = Files.newOutputStream(tmp)) {
            m = UpdateBundle.write(jar, version, key, pub, os);
        } catch (IllegalArgumentException e) {
            Files.deleteIfExists(tmp);
            err.println("Refused: " + e.getMessage());
            return 1;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        out.println("Signed agent " + m.version() + " with key " + UpdateBundle.keyId(pub) + ": " + target + " ("
                + Files.size(target) + " bytes; jar SHA-256 " + m.sha256() + ")");
        out.println("Upload it as an admin: POST /api/v1/agent-updates (Content-Type: application/octet-stream)");
        return 0;
    }

    private int verify(Map<String, String> o, List<String> rest) throws IOException, GeneralSecurityException {
        if (!o.containsKey("--keys") || rest.size() != 1 || o.size() != 1) {
            return usage("verify takes --keys FILE BUNDLE");
        }
        List<PublicKey> keys = UpdateBundle.publicKeys(Files.readString(Path.of(o.get("--keys")),
                StandardCharsets.US_ASCII));
        try (var in = Files.newInputStream(Path.of(rest.get(0)))) {
            UpdateBundle.Verified v = UpdateBundle.verify(in, keys, java.util.Optional.empty());
            out.println("Good: agent " + v.manifest().version() + ", signed by key " + v.keyId() + ", jar "
                    + v.manifest().size() + " bytes, SHA-256 " + v.manifest().sha256());
            return 0;
        } catch (UpdateBundle.BundleException e) {
            err.println("Refused (" + e.code() + "): " + e.getMessage());
            return 1;
        }
    }

    /** The public half of an Ed25519 private key, from its PKCS#8 form (the last 32 bytes are the seed). */
    private static PublicKey publicOf(PrivateKey key) throws GeneralSecurityException {
        // Java has no public-from-private for EdDSA; sign and derive through a key pair made from the same seed
        byte[] der = key.getEncoded();
        byte[] seed = java.util.Arrays.copyOfRange(der, der.length - 32, der.length);
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        g.initialize(NamedParameterSpec.ED25519, new FixedRandom(seed));
        return g.generateKeyPair().getPublic();
    }

    /** Gives out the seed it was made with: a key pair generated with it has that seed's keys. */
    private static final class FixedRandom extends java.security.SecureRandom {
        private final byte[] seed;

        FixedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }
}
