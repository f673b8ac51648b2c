package dev.outpost.cli;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import picocli.CommandLine;

/**
 * A node's two addresses: {@code --host}, which its HTTP server binds (possibly every interface),
 * and {@code --advertise}, the one address its cluster member binds and other nodes reach it at.
 */
final class NodeAddresses {
  private NodeAddresses() {}

  /** Whether {@code host} means every interface (0.0.0.0, ::). */
  static boolean isWildcard(String host) {
    try {
      return InetAddress.getByName(host).isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * The address to advertise to the cluster: {@code advertise} when given, else {@code host}, or
   * 127.0.0.1 when {@code host} is a wildcard. Refuses (as a command-line error) a wildcard
   * advertised address, and one that differs from a specific {@code --host}: other routers forward
   * to the advertised address's HTTP port, which must then be bound there.
   */
  static String advertised(CommandLine command, String host, String advertise) {
    if (advertise == null) {
      return isWildcard(host) ? "127.0.0.1" : host;
    }
    if (isWildcard(advertise)) {
      throw new CommandLine.ParameterException(
          command,
          "--advertise "
              + advertise
              + " is every interface; give the one address other nodes reach this node at");
    }
    if (!isWildcard(host) && !host.equals(advertise)) {
      throw new CommandLine.ParameterException(
          command,
          "--advertise "
              + advertise
              + " differs from --host "
              + host
              + ", but other nodes reach this node's HTTP port at the advertised address; use"
              + " --host 0.0.0.0 or the same address for both");
    }
    return advertise;
  }

  /**
   * Checks that {@code port} can be bound on {@code host} now; otherwise a {@link CliException}
   * saying which flag picks another port ({@code flag}) or another address ({@code hostFlag}).
   */
  static void requireFree(String host, int port, String what, String flag, String hostFlag) {
    if (port == 0) {
      return; // any free port
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (BindException e) {
      if (e.getMessage() == null || !e.getMessage().contains("in use")) {
        throw new CliException(
            "cannot bind "
                + host
                + ":"
                + port
                + " ("
                + e.getMessage()
                + "); this machine has no such address: check "
                + hostFlag,
            e);
      }
      throw new CliException(
          what
              + " port "
              + port
              + " on "
              + host
              + " is in use (another node?); stop what holds it or pass another "
              + flag,
          e);
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(
          "cannot bind " + host + ":" + port + " (" + e.getMessage() + "); check " + hostFlag, e);
    }
  }
}
