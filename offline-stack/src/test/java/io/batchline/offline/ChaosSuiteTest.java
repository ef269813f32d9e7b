package io.batchline.offline;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The chaos suite's first twelve fixed cases, on a stack of their own (see {@link ChaosSuite}). */
class ChaosSuiteTest extends ChaosSuite {
    @ParameterizedTest(name = "[{index}] kill at {0}, pass {1}")
    @MethodSource("firstCases")
    void aProcessKilledAnywhereLosesNoItemAndPaysNothingTwice(String point, int after) throws Exception {
        runKilledAt(point, after);
    }
}
