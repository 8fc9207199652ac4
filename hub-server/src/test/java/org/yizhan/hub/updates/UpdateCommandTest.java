package org.yizhan.hub.updates;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yizhan.protocol.UpdateBundle;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code yizhan-hub update keygen|sign|verify}, the release team's tool, with its own keys and OpenSSL's. */
class UpdateCommandTest {

    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return UpdateCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path jar() throws Exception {
        Path jar = tmp.resolve("yizhan-agent.jar");
        Files.write(jar, new byte[]{'P', 'K', 3, 4, 1, 2, 3});
        return jar;
    }

    @Test
    void keygenSignAndVerifyMakeABundleTheStationsAccept() throws Exception {
        assertThat(run("keygen", "--out", tmp.resolve("keys").toString())).as(err.toString()).isZero();
        Path key = tmp.resolve("keys/release.key");
        Path pub = tmp.resolve("keys/release.pub");
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String keyId = UpdateBundle.keyId(UpdateBundle.publicKeys(Files.readString(pub)).get(0));
        assertThat(out.toString()).contains(keyId);
        assertThat(run("keygen", "--out", tmp.resolve("keys").toString())).as("never over a key").isEqualTo(1);
        assertThat(err.toString()).contains("holds a release key already");

        Path bundle = tmp.resolve("agent-0.2.0.update");
        assertThat(run("sign", "--key", key.toString(), "--jar", jar().toString(), "--version", "0.2.0", "--out",
                bundle.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Signed agent 0.2.0 with key " + keyId);
        assertThat(run("verify", "--keys", pub.toString(), bundle.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Good: agent 0.2.0, signed by key " + keyId);
        try (var in = Files.newInputStream(bundle)) {
            assertThat(UpdateBundle.verify(in, UpdateBundle.publicKeys(Files.readString(pub)), Optional.empty())
                    .manifest().version()).isEqualTo("0.2.0");
        }

        assertThat(run("keygen", "--out", tmp.resolve("other").toString())).isZero();
        assertThat(run("verify", "--keys", tmp.resolve("other/release.pub").toString(), bundle.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("bad-signature");
    }

    @Test
    void anOpenSslKeySignsAndItsKeyIdIsTheOneOfItsPublicHalf() throws Exception {
        Path key = tmp.resolve("ossl.key");
        Path pub = tmp.resolve("ossl.pub");
        openssl("genpkey", "-algorithm", "ed25519", "-out", key.toString());
        openssl("pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
        Path bundle = tmp.resolve("b.update");
        assertThat(run("sign", "--key", key.toString(), "--jar", jar().toString(), "--version", "1.0.0+r2", "--out",
                bundle.toString())).as(err.toString()).isZero();
        String keyId = UpdateBundle.keyId(UpdateBundle.publicKeys(Files.readString(pub)).get(0));
        assertThat(out.toString()).contains("with key " + keyId);
        assertThat(run("verify", "--keys", pub.toString(), bundle.toString())).as(err.toString()).isZero();
    }

    @Test
    void badArgumentsAreSaidAndNothingIsWritten() throws Exception {
        assertThat(run()).isEqualTo(2);
        assertThat(run("sign", "--key", "k")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required options: '--jar=FILE', '--version=VERSION', "
                + "'--out=FILE'");
        assertThat(run("keygen", "--out", tmp.resolve("k").toString())).isZero();
        Path out1 = tmp.resolve("x.update");
        assertThat(run("sign", "--key", tmp.resolve("k/release.key").toString(), "--jar", jar().toString(),
                "--version", "../1", "--out", out1.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("must match");
        assertThat(run("sign", "--key", tmp.resolve("k/release.pub").toString(), "--jar", jar().toString(),
                "--version", "1.0", "--out", out1.toString())).isEqualTo(1);
        assertThat(out1).doesNotExist();
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument at index 0: 'frobnicate'");
        assertThat(run("verify", "--keys", "k")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'BUNDLE'");
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("keygen", "sign", "verify");
        assertThat(run("keygen", "--help")).isZero();
        assertThat(out.toString()).contains("keygen [-h] --out=DIR");
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(o).isZero();
    }
}
