package io.batchline.input;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdIndexTest {

    @Test
    void remembersFirstLineAcrossGrowth() {
        IdIndex index = new IdIndex(16);
        for (int i = 1; i <= 100_000; i++) assertThat(index.putIfAbsent("T-" + i, i)).isZero();
        assertThat(index.size()).isEqualTo(100_000);
        assertThat(index.putIfAbsent("T-1", 200_000)).isEqualTo(1);
        assertThat(index.putIfAbsent("T-77777", 200_001)).isEqualTo(77_777);
        assertThat(index.putIfAbsent("T-100001", 200_002)).isZero();
    }

    @Test
    void hashIsNeverTheEmptyMarker() {
        assertThat(IdIndex.hash("")).isNotZero();
        assertThat(IdIndex.hash("a")).isNotEqualTo(IdIndex.hash("b"));
    }
}
