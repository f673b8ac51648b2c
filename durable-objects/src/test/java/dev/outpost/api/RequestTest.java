package dev.outpost.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a connect guard reads from a request and how it passes identity on. */
class RequestTest {

  @Test
  void queryParametersAreDecodedAsFormValues() {
    Request request =
        Request.builder("GET", "/objects/inbox/ana?token=a.b%2Bc&flag&name=x+y&bad=%zz")
            .path("/")
            .build();
    assertThat(request.queryParam("token")).contains("a.b+c");
    assertThat(request.queryParam("flag")).contains("");
    assertThat(request.queryParam("name")).contains("x y");
    assertThat(request.queryParam("missing")).isEmpty();
    assertThat(Request.get("/objects/inbox/ana").queryParam("token")).isEmpty();
  }

  @Test
  void cookiesAreFoundInEveryCookieHeader() {
    Request request =
        Request.builder("GET", "/")
            .header("Cookie", "theme=dark; session=\"s1\"")
            .header("Cookie", "lang=en")
            .build();
    assertThat(request.cookie("session")).contains("s1");
    assertThat(request.cookie("theme")).contains("dark");
    assertThat(request.cookie("lang")).contains("en");
    assertThat(request.cookie("sess")).isEmpty();
  }

  @Test
  void withHeaderReplacesThatHeaderOnlyAndKeepsTheRest() {
    Request request =
        Request.builder("POST", "/objects/inbox/ana/x?y=1")
            .path("/x")
            .header("X-Outpost-Auth-Subject", "mallory")
            .header("x-outpost-auth-subject", "eve")
            .header("Accept", "text/plain")
            .body("hello")
            .build();

    Request passed = request.withHeader("X-Outpost-Auth-Subject", "ana");

    assertThat(passed.headers().get("X-Outpost-Auth-Subject")).containsExactly("ana");
    assertThat(passed.header("Accept")).contains("text/plain");
    assertThat(passed.method()).isEqualTo("POST");
    assertThat(passed.url()).isEqualTo("/objects/inbox/ana/x?y=1");
    assertThat(passed.path()).isEqualTo("/x");
    assertThat(passed.bodyText()).isEqualTo("hello");
    assertThat(request.header("X-Outpost-Auth-Subject")).contains("mallory");
  }
}
