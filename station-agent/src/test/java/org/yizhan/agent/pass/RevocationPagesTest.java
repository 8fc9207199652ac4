package org.yizhan.agent.pass;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Staging the pages of the whole revocation list, on its own. */
class RevocationPagesTest {

    @Test
    void refusesPagesThatWouldHoldMoreMembersThanAListMayAndKeepsNothingOfThem() {
        RevocationPages pages = new RevocationPages(3);
        pages.offer(4, 1, 2, List.of("m-a", "m-b"));

        assertThatThrownBy(() -> pages.offer(4, 2, 2, List.of("m-c", "m-d")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 3 members");
        assertThat(pages.staging()).as("the version's pages are dropped").isEmpty();
    }

    @Test
    void startsAfreshWhenTheSameVersionComesSplitDifferently() {
        RevocationPages pages = new RevocationPages(10);
        pages.offer(4, 1, 3, List.of("m-a"));

        RevocationPages.Offer resplit = pages.offer(4, 1, 2, List.of("m-a", "m-b"));
        RevocationPages.Offer done = pages.offer(4, 2, 2, List.of("m-c"));

        assertThat(resplit.have()).isEqualTo(1);
        assertThat(done.complete()).contains(List.of("m-a", "m-b", "m-c"));
    }

    @Test
    void refusesAPageNumberOutsideItsPages() {
        RevocationPages pages = new RevocationPages(10);
        assertThatThrownBy(() -> pages.offer(1, 3, 2, List.of())).hasMessageContaining("page 3 is not one of 1 to 2");
    }
}
