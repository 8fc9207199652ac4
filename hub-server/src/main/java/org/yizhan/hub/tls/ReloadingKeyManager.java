package org.yizhan.hub.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * The key manager behind the hub's TLS servers (MQTT and HTTPS): each handshake asks it for the current
 * certificate, so replacing the credentials serves the new certificate to new connections while connections
 * already open keep theirs (vertx-mqtt's server cannot swap its TLS options, this way works for both). The alias
 * names the generation, so a handshake that began before a swap finishes with the certificate it chose.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {

    private record Current(String alias, TlsCredentials credentials) {
    }

    private volatile Current current;
    private volatile Current previous;
    private int generation;

    ReloadingKeyManager(TlsCredentials initial) {
        this.current = new Current("hub-0", initial);
    }

    synchronized void swap(TlsCredentials next) {
        generation++;
        previous = current;
        current = new Current("hub-" + generation, next);
    }

    TlsCredentials credentials() {
        return current.credentials();
    }

    private String alias(String keyType) {
        Current c = current;
        return c.credentials().key().getAlgorithm().equalsIgnoreCase(keyType) ? c.alias() : null;
    }

    private TlsCredentials byAlias(String alias) {
        Current c = current;
        if (c.alias().equals(alias)) {
            return c.credentials();
        }
        Current p = previous;
        return p != null && p.alias().equals(alias) ? p.credentials() : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String a = alias(keyType);
        return a == null ? null : new String[]{a};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsCredentials t = byAlias(alias);
        return t == null ? null : t.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsCredentials t = byAlias(alias);
        return t == null ? null : t.key();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
