package dev.outpost.samples.diary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.Admission;
import dev.outpost.api.ConnectGuard;
import dev.outpost.api.DurableObjectId;
import dev.outpost.api.Lobby;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.testkit.ObjectHarness;
import dev.outpost.testkit.ObjectUnderTest;
import dev.outpost.testkit.RecordingSocket;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DiaryTest {

  private final ObjectHarness harness = ObjectHarness.of("diary", Diary.class);

  @AfterEach
  void close() {
    harness.close();
  }

  private static Request as(String owner, String method, String body) {
    return Request.builder(method, "/objects/diary/" + owner)
        .path("/")
        .header(ConnectGuard.SUBJECT_HEADER, owner)
        .body(body)
        .build();
  }

  @Test
  void theOwnerWritesAndReadsEntriesInOrderAndOtherTabsSeeThem() {
    ObjectUnderTest diary = harness.object("ana");
    RecordingSocket tab =
        diary.connect(
            Request.builder("GET", "/objects/diary/ana")
                .path("/")
                .header("Upgrade", "websocket")
                .header(ConnectGuard.SUBJECT_HEADER, "ana")
                .build());

    assertThat(diary.fetch(as("ana", "POST", "first day")).bodyText()).isEqualTo("1: first day");
    Response second = diary.fetch(as("ana", "POST", "second\nday"));

    assertThat(second.status()).isEqualTo(201);
    assertThat(diary.fetch(as("ana", "GET", "")).bodyText())
        .isEqualTo("1: first day\n2: second day\n");
    assertThat(tab.texts()).containsExactly("1: first day\n", "2: second day\n");
  }

  @Test
  void withoutTheGuardsSubjectOrWithABadEntryNothingIsStored() {
    ObjectUnderTest diary = harness.object("ana");
    assertThat(diary.post("/", "sneaky").status()).isEqualTo(403);
    assertThat(diary.fetch(as("ana", "POST", "  ")).status()).isEqualTo(400);
    assertThat(diary.fetch(as("ana", "POST", "x".repeat(Diary.MAX_ENTRY + 1))).status())
        .isEqualTo(400);
    assertThat(diary.storedKeys()).isEmpty();
  }

  @Test
  void onlyTheSubjectNamedLikeTheDiaryIsAdmitted() throws Exception {
    OwnerOnly guard = new OwnerOnly();
    DurableObjectId anas = DurableObjectId.of("%064x".formatted(1), Optional.of("ana"));
    Lobby lobby = new Lobby("diary", anas, Lobby.Transport.WEBSOCKET);

    assertThat(guard.onBeforeConnect(as("ana", "GET", ""), lobby))
        .isInstanceOf(Admission.Admit.class);
    Admission bob = guard.onBeforeConnect(as("bob", "GET", ""), lobby);
    assertThat(((Admission.Refuse) bob).response().bodyText())
        .isEqualTo("diary 'ana' belongs to its owner; your token's subject is 'bob'");
    Lobby byId =
        new Lobby(
            "diary",
            DurableObjectId.of("%064x".formatted(1), Optional.empty()),
            Lobby.Transport.HTTP);
    assertThat(guard.onBeforeRequest(as("ana", "GET", ""), byId))
        .isInstanceOf(Admission.Refuse.class);
  }
}
