package org.yizhan.hub.updates;

import org.yizhan.hub.cli.CliSupport;
import org.yizhan.protocol.UpdateBundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

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
import java.util.List;

/**
 * {@code yizhan-hub update keygen|sign|verify}: the release team's side of agent updates, run where the release
 * key is kept (not on the hub). {@code keygen} makes an Ed25519 key pair as OpenSSL writes it (the private key
 * 0600); {@code sign} makes a signed bundle of an agent jar; {@code verify} checks one against public keys, as the
 * hub and the stations will. Exit status 0 done, 1 refused or failed, 2 bad arguments.
 */
@Command(name = "update", synopsisSubcommandLabel = "COMMAND",
        description = {"Make the release key; sign and verify agent updates.",
                "Run where the union's release key is kept (not on the hub).",
                "Keys are PEM files; OpenSSL's own (openssl genpkey -algorithm ed25519) work",
                "as well."},
        footer = {"", "Exit status: 0 done; 1 refused or failed; 2 bad arguments."})
public final class UpdateCommand {

    @Mixin
    CliSupport.HelpOption help = new CliSupport.HelpOption();
    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    /** The command for picocli, writing to these streams. */
    public UpdateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the command with these arguments (after {@code update}); the exit status. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CliSupport.execute(new UpdateCommand(out, err), args, out, err);
    }

    @Command(name = "keygen", description = {"Make the union's release key.",
            "DIR/release.key: private, 0600; keep it off the hub, offline.",
            "DIR/release.pub: give it to the hub as update-keys, and to stations' images."})
    int keygen(@Option(names = "--out", required = true, paramLabel = "DIR") Path dir,
               @Mixin CliSupport.HelpOption help) {
        try {
            return keygen(dir);
        } catch (IOException | GeneralSecurityException e) {
            return failed(e);
        }
    }

    @Command(name = "sign", sortOptions = false,
            description = "Make a signed agent update of the agent's jar (yizhan-agent.jar).")
    int sign(@Option(names = "--key", required = true, paramLabel = "FILE", description = "the release key") Path key,
             @Option(names = "--jar", required = true, paramLabel = "FILE", description = "the agent's jar") Path jar,
             @Option(names = "--version", required = true, paramLabel = "VERSION",
                     description = "the agent's version, e.g. 0.4.0") String version,
             @Option(names = "--out", required = true, paramLabel = "FILE", description = "the bundle to write") Path target,
             @Mixin CliSupport.HelpOption help) {
        try {
            return sign(key, jar, version, target);
        } catch (IOException | GeneralSecurityException e) {
            return failed(e);
        }
    }

    @Command(name = "verify", description = "Check a bundle's signature and jar against the public keys in FILE.")
    int verify(@Option(names = "--keys", required = true, paramLabel = "FILE", description = "public keys (PEM)") Path keys,
               @Parameters(paramLabel = "BUNDLE", description = "the signed update") Path bundle,
               @Mixin CliSupport.HelpOption help) {
        try {
            return verify(keys, bundle);
        } catch (IOException | GeneralSecurityException e) {
            return failed(e);
        }
    }

    private int failed(Exception e) {
        err.println("Failed: " + e.getMessage());
        return 1;
    }

    private ParameterException bad(String command, String problem) {
        return new ParameterException(spec.subcommands().get(command), problem);
    }

    private int keygen(Path dir) throws IOException, GeneralSecurityException {
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

    private int sign(Path keyFile, Path jar, String version, Path target) throws IOException, GeneralSecurityException {
        if (!UpdateBundle.VERSION.matcher(version).matches()) {
            throw bad("sign", "--version '" + version + "' must match " + UpdateBundle.VERSION.pattern());
        }
        if (!Files.isRegularFile(jar)) {
            throw bad("sign", "--jar " + jar + " is not a file");
        }
        PrivateKey key = UpdateBundle.privateKey(Files.readString(keyFile, StandardCharsets.US_ASCII));
        PublicKey pub = publicOf(key);
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

    private int verify(Path keysFile, Path bundle) throws IOException, GeneralSecurityException {
        List<PublicKey> keys = UpdateBundle.publicKeys(Files.readString(keysFile, StandardCharsets.US_ASCII));
        try (var in = Files.newInputStream(bundle)) {
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
