package dev.outpost.router;

import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for a node's HTTP port, from PEM files: the port serves HTTPS and WSS to clients and node
 * links alike, and the node's own links to its peers use TLS and trust only {@code trust}.
 *
 * <p>Links are mutually authenticated: a peer opening a link presents {@code certificate} as its
 * client certificate, and a node accepts a link only from a connection whose client certificate
 * chains to its {@code trust}, else 403 (the handshake asks every client for a certificate without
 * requiring one, so clients other than nodes need none). So a node whose trust does not hold the
 * other's certificate (or its CA) can neither link to it nor be linked from it; the link secret is
 * checked on top.
 *
 * <p>The files are read when the node starts; replacing them needs a restart.
 *
 * @param certificate PEM certificate chain of this node (the leaf first); its subject alternative
 *     names must include the address other nodes reach it at ({@code --advertise}), which links
 *     verify
 * @param key PEM private key of {@code certificate} (PKCS#8 {@code BEGIN PRIVATE KEY}, or PKCS#1
 *     {@code BEGIN RSA PRIVATE KEY})
 * @param trust PEM certificates (one or more) that this node trusts for its peers: their CA, or
 *     their self-signed certificates
 */
public record TlsOptions(Path certificate, Path key, Path trust) {

  /**
   * Checks that the three files exist and are readable.
   *
   * @throws IllegalArgumentException naming the file that is missing
   */
  public TlsOptions {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(trust, "trust");
    requireReadable(certificate, "certificate");
    requireReadable(key, "private key");
    requireReadable(trust, "trust");
  }

  private static void requireReadable(Path file, String what) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(
          "the TLS " + what + " file " + file + " does not exist or cannot be read");
    }
  }

  /** The node's certificate and key, for the server and the links' client side. */
  PemKeyCertOptions keyCert() {
    return new PemKeyCertOptions().setCertPath(certificate.toString()).setKeyPath(key.toString());
  }

  /** The certificates this node trusts for its peers. */
  PemTrustOptions trustOptions() {
    return new PemTrustOptions().addCertPath(trust.toString());
  }
}
