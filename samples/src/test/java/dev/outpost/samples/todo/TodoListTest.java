package dev.outpost.samples.todo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.ObjectHarness;
import dev.outpost.testkit.ObjectUnderTest;
import dev.outpost.testkit.RecordingSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TodoListTest {

  private final ObjectHarness harness = ObjectHarness.of("todo", TodoList.class);
  private final ObjectUnderTest list = harness.object("groceries");

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void aNewClientGetsTheSnapshotFirst() {
    RecordingSocket ann = list.connect("/");
    ann.send("add a1 milk");

    RecordingSocket bob = list.connect("/");

    assertThat(bob.texts())
        .containsExactly(
            "{\"type\":\"snapshot\",\"items\":[{\"id\":\"a1\",\"title\":\"milk\",\"done\":false}]}");
    assertThat(list.get("/").bodyText()).contains("\"title\":\"milk\"");
  }

  @Test
  void appliedChangesGoToEveryClient() {
    RecordingSocket ann = list.connect("/");
    RecordingSocket bob = list.connect("/");
    ann.takeTexts();
    bob.takeTexts();

    ann.send("add a1 milk");
    bob.send("toggle a1");
    ann.send("remove a1");

    String added =
        "{\"type\":\"added\",\"item\":{\"id\":\"a1\",\"title\":\"milk\",\"done\":false}}";
    String updated =
        "{\"type\":\"updated\",\"item\":{\"id\":\"a1\",\"title\":\"milk\",\"done\":true}}";
    String removed = "{\"type\":\"removed\",\"id\":\"a1\"}";
    assertThat(ann.takeTexts()).containsExactly(added, updated, removed);
    assertThat(bob.takeTexts()).containsExactly(added, updated, removed);
  }

  @Test
  void refusedChangesAreAnsweredToTheSenderOnlyAndChangeNothing() {
    RecordingSocket ann = list.connect("/");
    RecordingSocket bob = list.connect("/");
    ann.send("add a1 Milk");
    ann.takeTexts();
    bob.takeTexts();

    bob.send("add b1  milk ");
    bob.send("add b2    ");
    bob.send("add b3 " + "x".repeat(TodoList.MAX_TITLE + 1));
    bob.send("add a1 bread");
    bob.send("add bad/id bread");
    bob.send("toggle nope");
    bob.send("remove nope");
    bob.send("rename a1 x");

    assertThat(bob.takeTexts())
        .hasSize(8)
        .allMatch(text -> text.startsWith("{\"type\":\"rejected\""))
        .satisfiesExactly(
            t -> assertThat(t).contains("\"id\":\"b1\"", "\\\"Milk\\\" is already on the list"),
            t -> assertThat(t).contains("\"id\":\"b2\"", "a title cannot be empty"),
            t -> assertThat(t).contains("\"id\":\"b3\"", "at most 100 characters"),
            t -> assertThat(t).contains("item id a1 is taken"),
            t -> assertThat(t).contains("an item id is 1-40"),
            t -> assertThat(t).contains("\"op\":\"toggle\"", "no item nope"),
            t -> assertThat(t).contains("\"op\":\"remove\"", "no item nope"),
            t -> assertThat(t).contains("unknown command rename"));
    assertThat(ann.takeTexts()).isEmpty();
    assertThat(list.get("/").bodyText())
        .isEqualTo(
            "{\"type\":\"snapshot\",\"items\":[{\"id\":\"a1\",\"title\":\"Milk\",\"done\":false}]}");
  }

  @Test
  void aFullListRefusesMore() {
    RecordingSocket ann = list.connect("/");
    for (int i = 0; i < TodoList.MAX_ITEMS; i++) {
      ann.send("add i" + i + " item " + i);
    }
    ann.takeTexts();

    ann.send("add last one more");

    assertThat(ann.takeTexts()).singleElement().asString().contains("the list is full");
  }

  @Test
  void theListSurvivesHibernationAndTitlesAreEscaped() {
    RecordingSocket ann = list.connect("/");
    ann.send("add a1 say \"hi\" \\ back");

    assertThat(list.evict()).isTrue();
    RecordingSocket bob = list.connect("/");

    assertThat(bob.texts())
        .singleElement()
        .asString()
        .contains("\"title\":\"say \\\"hi\\\" \\\\ back\"");
  }
}
