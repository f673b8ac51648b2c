package dev.outpost.testkit;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A test object for typed calls: a room of members (stored, one name per line) that implements
 * {@link RoomApi} and {@link RelayApi}, and {@link UnmarkedApi} and a public method of its own that
 * no call may reach.
 */
public final class RpcRoom implements DurableObject, RoomApi, RelayApi, UnmarkedApi {

  /** What a room reports about itself: a record, to travel as JSON. */
  public record Summary(String room, List<String> members, Map<String, Integer> lengths) {}

  private final DurableObjectState state;
  private final Env env;

  public RpcRoom(DurableObjectState state, Env env) {
    this.state = state;
    this.env = env;
  }

  @Override
  public Response fetch(Request request) {
    return Response.ok("fetch " + request.path());
  }

  @Override
  public int join(String user) {
    Objects.requireNonNull(user, "user");
    List<String> members = new ArrayList<>(members());
    if (!members.contains(user)) {
      members.add(user);
    }
    state.storage().put("members", String.join("\n", members));
    return members.size();
  }

  @Override
  public List<String> members() {
    String stored = state.storage().get("members", String.class).orElse("");
    return stored.isEmpty() ? List.of() : Arrays.asList(stored.split("\n"));
  }

  @Override
  public Summary summary() {
    Map<String, Integer> lengths = new TreeMap<>();
    members().forEach(m -> lengths.put(m, m.length()));
    return new Summary(state.id().name().orElseThrow(), members(), lengths);
  }

  @Override
  public void joinThenFail(String user, String why) {
    join(user);
    throw new IllegalStateException(why);
  }

  @Override
  public String echo(String text) {
    return text;
  }

  @Override
  public String relay(List<String> path) {
    String me = state.id().name().orElseThrow();
    if (path.isEmpty()) {
      return me + "(" + String.join(",", members()) + ")";
    }
    RelayApi next = env.namespace("rooms").getByName(path.get(0)).rpc(RelayApi.class);
    return me + "->" + next.relay(path.subList(1, path.size()));
  }

  @Override
  public int joinVia(String other, String user) {
    return env.namespace("rooms").getByName(other).rpc(RoomApi.class).join(user);
  }

  /** Public, but of no interface: never callable. */
  public String secret() {
    return "secret";
  }

  @Override
  public void wipe() {
    throw new AssertionError("a typed call reached an interface without @Rpc");
  }
}
