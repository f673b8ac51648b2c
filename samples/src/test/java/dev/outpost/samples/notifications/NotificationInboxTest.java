package dev.outpost.samples.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.StorageOperations;
import dev.outpost.testkit.ObjectHarness;
import dev.outpost.testkit.ObjectUnderTest;
import dev.outpost.testkit.RecordingSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The inbox on the harness's manual clock, from a fixed start, so item times are exact. */
class NotificationInboxTest {

  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  private final ObjectHarness harness =
      ObjectHarness.builder()
          .namespace("notifications", NotificationInbox.class)
          .start(START)
          .build();
  private final ObjectUnderTest ben = harness.object("ben");

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void markingAllReadFitsInOneMultiKeyPut() {
    assertThat(NotificationInbox.MAX_ITEMS + 1)
        .isLessThanOrEqualTo(StorageOperations.MAX_KEYS_PER_CALL);
  }

  private Response send(String from, String text) {
    return post("{\"from\":\"" + from + "\",\"text\":\"" + text + "\"}");
  }

  private Response post(String body) {
    return ben.fetch(
        Request.builder("POST", "/").header("Content-Type", "application/json").body(body).build());
  }

  private static String item(long id, String from, String text, String time, boolean read) {
    return "{\"id\":"
        + id
        + ",\"from\":\""
        + from
        + "\",\"text\":\""
        + text
        + "\",\"time\":\""
        + time
        + "\",\"read\":"
        + read
        + "}";
  }

  private static String snapshot(int unread, String... items) {
    return "{\"type\":\"snapshot\",\"user\":\"ben\",\"unread\":"
        + unread
        + ",\"limit\":100,\"items\":["
        + String.join(",", items)
        + "]}";
  }

  private static String notification(String item, int unread, String dropped) {
    return "{\"type\":\"notification\",\"item\":"
        + item
        + ",\"unread\":"
        + unread
        + ",\"dropped\":["
        + dropped
        + "]}";
  }

  private static String read(String ids, int unread) {
    return "{\"type\":\"read\",\"ids\":[" + ids + "],\"unread\":" + unread + "}";
  }

  @Test
  void everyConnectionGetsTheSnapshotThenEachNotificationWithTheUnreadCount() {
    RecordingSocket tab1 = ben.connect("/");
    assertThat(tab1.takeTexts()).containsExactly(snapshot(0));

    harness.advance(Duration.ofSeconds(90));
    Response first = send("ana", "hello \\\"ben\\\"");
    RecordingSocket tab2 = ben.connect("/");
    harness.advance(Duration.ofMillis(1500));
    tab1.send("{\"op\":\"notify\",\"from\":\"cy\",\"text\":\"  second  \"}");

    String one = item(1, "ana", "hello \\\"ben\\\"", "2030-01-01T00:01:30Z", false);
    String two = item(2, "cy", "second", "2030-01-01T00:01:31.500Z", false);
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.bodyText()).isEqualTo(notification(one, 1, ""));
    assertThat(tab1.takeTexts())
        .containsExactly(notification(one, 1, ""), notification(two, 2, ""));
    assertThat(tab2.takeTexts()).containsExactly(snapshot(1, one), notification(two, 2, ""));
    assertThat(ben.get("/").bodyText()).isEqualTo(snapshot(2, two, one));
  }

  @Test
  void markingOneReadUpdatesTheCountInEveryTab() {
    send("ana", "one");
    send("ana", "two");
    RecordingSocket tab1 = ben.connect("/");
    RecordingSocket tab2 = ben.connect("/");
    RecordingSocket tab3 = ben.connect("/");
    tab1.takeTexts();
    tab2.takeTexts();
    tab3.takeTexts();

    tab2.send("{\"op\":\"read\",\"id\":1}");

    assertThat(tab1.takeTexts()).containsExactly(read("1", 1));
    assertThat(tab2.takeTexts()).containsExactly(read("1", 1));
    assertThat(tab3.takeTexts()).containsExactly(read("1", 1));

    // Already read: nothing changes, only the sender hears so.
    tab3.send("{\"op\":\"read\",\"id\":1}");
    assertThat(tab3.takeTexts()).containsExactly(read("", 1));
    assertThat(tab1.takeTexts()).isEmpty();
    assertThat(ben.get("/").bodyText())
        .isEqualTo(
            snapshot(
                1,
                item(2, "ana", "two", "2030-01-01T00:00:00Z", false),
                item(1, "ana", "one", "2030-01-01T00:00:00Z", true)));
  }

  @Test
  void markingAllReadMarksOnlyTheUnreadOnes() {
    for (int i = 1; i <= 4; i++) {
      send("ana", "n" + i);
    }
    RecordingSocket tab1 = ben.connect("/");
    RecordingSocket tab2 = ben.connect("/");
    tab1.send("{\"op\":\"read\",\"id\":2}");
    tab1.takeTexts();
    tab2.takeTexts();

    tab2.send("{\"op\":\"readAll\"}");
    tab2.send("{ \"op\" : \"readAll\" }");

    assertThat(tab1.takeTexts()).containsExactly(read("1,3,4", 0));
    assertThat(tab2.takeTexts()).containsExactly(read("1,3,4", 0), read("", 0));
    assertThat(ben.get("/").bodyText()).contains("\"unread\":0").doesNotContain("\"read\":false");
  }

  @Test
  void theInboxKeepsTheNewestHundredAndCountsOnlyTheirUnread() {
    int total = NotificationInbox.MAX_ITEMS + 5;
    RecordingSocket tab = ben.connect("/");
    for (int i = 1; i <= 3; i++) {
      send("ana", "n" + i);
    }
    tab.send("{\"op\":\"readAll\"}"); // 1-3 read: dropping them leaves the count alone
    for (int i = 4; i <= total; i++) {
      harness.advance(Duration.ofSeconds(1));
      send("ana", "n" + i);
    }

    // 101 brought the inbox to 101 items, so item 1 went; then 2, 3 (read), 4 and 5 (unread).
    String last = item(total, "ana", "n" + total, "2030-01-01T00:01:42Z", false);
    assertThat(tab.texts()).contains(notification(last, 100, "5"));
    assertThat(tab.texts())
        .anySatisfy(t -> assertThat(t).contains("\"id\":101,").endsWith("\"dropped\":[1]}"));
    assertThat(tab.texts())
        .anySatisfy(t -> assertThat(t).contains("\"id\":103,").contains("\"unread\":100,"));
    assertThat(ben.storedKeys()).hasSize(NotificationInbox.MAX_ITEMS + 1);
    assertThat(ben.stored("meta", NotificationInbox.Meta.class))
        .contains(new NotificationInbox.Meta(6, total + 1, 100));

    RecordingSocket late = ben.connect("/");
    String snapshot = late.texts().getFirst();
    assertThat(snapshot).startsWith("{\"type\":\"snapshot\",\"user\":\"ben\",\"unread\":100,");
    assertThat(snapshot.split("\"id\":", -1)).hasSize(NotificationInbox.MAX_ITEMS + 1);
    assertThat(snapshot)
        .contains("[" + last + ",")
        .endsWith(
            "\"id\":6,\"from\":\"ana\","
                + "\"text\":\"n6\",\"time\":\"2030-01-01T00:00:03Z\",\"read\":false}]}");
    late.send("{\"op\":\"read\",\"id\":5}");
    assertThat(late.takeTexts().getLast())
        .contains("no notification 5 in this inbox (it holds 6-105)");
  }

  @Test
  void badNotificationsAreRefusedWithTheReasonAndStoreNothing() {
    RecordingSocket tab = ben.connect("/");
    tab.takeTexts();
    String tooLong = "x".repeat(NotificationInbox.MAX_TEXT + 1);

    assertThat(post("{\"from\":\"ana\",")).satisfies(refused(400, "expected a member name"));
    assertThat(post("")).satisfies(refused(400, "ends where a value was expected"));
    assertThat(post("[1,2]")).satisfies(refused(400, "a notification is a JSON object"));
    assertThat(post("{\"from\":\"ana\",\"text\":\"a\",\"text\":\"b\"}"))
        .satisfies(refused(400, "\"text\" appears twice"));
    assertThat(post("{\"text\":\"hi\"}")).satisfies(refused(400, "\"from\" must be a user name"));
    assertThat(send("ana smith", "hi")).satisfies(refused(400, "got the string \"ana smith\""));
    assertThat(post("{\"from\":\"ana\",\"text\":7}"))
        .satisfies(refused(400, "\"text\" must be a string; got the number 7"));
    assertThat(send("ana", "   ")).satisfies(refused(400, "\"text\" is empty"));
    assertThat(send("ana", tooLong))
        .satisfies(refused(400, "\"text\" is 281 characters; the limit is 280"));
    assertThat(post("{\"from\":\"ana\",\"text\":\"hi\",\"to\":\"ben\"}"))
        .satisfies(refused(400, "a notification has no member \"to\"; its members are from, text"));
    assertThat(post("{\"from\":\"ana\",\"text\":\"" + "y".repeat(9000) + "\"}"))
        .satisfies(refused(413, "at most 8192 bytes of JSON; this one is 9024"));
    assertThat(
            ben.fetch(
                Request.builder("POST", "/")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body("from=ana&text=hi")
                    .build()))
        .satisfies(refused(415, "a notification is JSON"));

    assertThat(tab.takeTexts()).isEmpty();
    assertThat(ben.storedKeys()).isEmpty();
    // 280 characters of four UTF-8 bytes each is within the limit, counted in characters.
    assertThat(send("ana", "\uD83D\uDD14".repeat(NotificationInbox.MAX_TEXT)).status())
        .isEqualTo(201);
  }

  @Test
  void badCommandsAreRefusedToTheirSenderOnlyAndChangeNothing() {
    send("ana", "hello");
    RecordingSocket tab1 = ben.connect("/");
    RecordingSocket tab2 = ben.connect("/");
    tab1.takeTexts();
    tab2.takeTexts();

    tab1.send("read 1");
    tab1.send("{\"id\":1}");
    tab1.send("{\"op\":\"archive\",\"id\":1}");
    tab1.send("{\"op\":\"read\",\"id\":9}");
    tab1.send("{\"op\":\"read\",\"id\":\"1\"}");
    tab1.send("{\"op\":\"read\",\"id\":1.5}");
    tab1.send("{\"op\":\"read\",\"id\":1,\"all\":true}");
    tab1.send("{\"op\":\"notify\",\"from\":\"ana\",\"text\":\"\"}");
    tab1.send(new byte[] {1, 2});
    tab1.send("{\"op\":\"notify\",\"from\":\"ana\",\"text\":\"" + "z".repeat(9000) + "\"}");

    assertThat(tab1.takeTexts())
        .hasSize(10)
        .allMatch(t -> t.startsWith("{\"type\":\"rejected\""))
        .satisfiesExactly(
            t ->
                assertThat(t)
                    .contains(
                        "\"op\":\"?\"",
                        "unexpected character 'r' where a value was expected at character 0"),
            t -> assertThat(t).contains("\"op\":\"?\"", "a command needs \\\"op\\\" as a string"),
            t -> assertThat(t).contains("\"op\":\"archive\"", "unknown command \\\"archive\\\""),
            t -> assertThat(t).contains("\"op\":\"read\"", "no notification 9 in this inbox"),
            t -> assertThat(t).contains("\\\"id\\\" must be a whole number; got the string"),
            t -> assertThat(t).contains("got the number 1.5"),
            t -> assertThat(t).contains("read has no member \\\"all\\\"; its members are id, op"),
            t -> assertThat(t).contains("\"op\":\"notify\"", "\\\"text\\\" is empty"),
            t -> assertThat(t).contains("commands are JSON text, not binary"),
            t -> assertThat(t).contains("a command is at most 8192 bytes; this one is 9"));
    assertThat(tab2.takeTexts()).isEmpty();
    assertThat(ben.get("/").bodyText())
        .isEqualTo(snapshot(1, item(1, "ana", "hello", "2030-01-01T00:00:00Z", false)));
  }

  @Test
  void theInboxSurvivesHibernation() {
    send("ana", "before");
    RecordingSocket tab = ben.connect("/");
    tab.takeTexts();

    assertThat(ben.evict()).isTrue();
    harness.advance(Duration.ofMinutes(5));
    send("ana", "after");

    assertThat(tab.takeTexts())
        .containsExactly(
            notification(item(2, "ana", "after", "2030-01-01T00:05:00Z", false), 2, ""));
  }

  @Test
  void onlyWellNamedInboxesAnswerAndOnlyAtTheirOwnAddress() {
    ObjectUnderTest spaced = harness.object("ben smith");
    assertThat(spaced.get("/")).satisfies(refused(404, "no inbox for \"ben smith\""));
    assertThatThrownBy(() -> spaced.connect("/")).hasMessageContaining("status 404");
    assertThat(harness.object("-ben").post("/", "{}")).satisfies(refused(404, "NAME is 1-40"));
    assertThat(ben.get("/items")).satisfies(refused(404, "an inbox has no /items"));
    assertThat(ben.fetch(Request.builder("DELETE", "/").build()))
        .satisfies(refused(405, "an inbox takes GET"));
    assertThat(ben.storedKeys()).isEmpty();
  }

  private static java.util.function.Consumer<Response> refused(int status, String reason) {
    return response -> {
      assertThat(response.status()).as(response.bodyText()).isEqualTo(status);
      assertThat(response.bodyText()).contains(reason);
    };
  }
}
