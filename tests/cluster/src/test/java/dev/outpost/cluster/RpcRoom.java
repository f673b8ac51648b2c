package dev.outpost.cluster;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A room of members (stored one per line) called only through {@link RoomApi}. */
public final class RpcRoom implements DurableObject, RoomApi {

  private final DurableObjectState state;
  private final Env env;

  public RpcRoom(DurableObjectState state, Env env) {
    this.state = state;
    this.env = env;
  }

  @Override
  public Response fetch(Request request) {
    // Sessions (for the JS client's connection); everything else goes through RoomApi.
    return request.isWebSocketUpgrade()
        ? state.acceptWebSocket(request)
        : Response.text(404, "call me through RoomApi");
  }

  @Override
  public int join(String user) {
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
  public int joinVia(String other, String user) {
    return room(other).join(user);
  }

  @Override
  public void fail(String user, String why) {
    join(user);
    throw new IllegalStateException(why);
  }

  @Override
  public void failVia(String other, String user, String why) {
    room(other).fail(user, why);
  }

  @Override
  public String trace(List<String> path) {
    String here = state.id().name().orElseThrow() + "@" + env.setting("node").orElse("?");
    return path.isEmpty()
        ? here
        : here + "->" + room(path.get(0)).trace(path.subList(1, path.size()));
  }

  private RoomApi room(String name) {
    return env.namespace("rooms").getByName(name).rpc(RoomApi.class);
  }
}
