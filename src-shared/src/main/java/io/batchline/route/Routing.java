package io.batchline.route;

import io.batchline.outcome.OutcomeKind;
import java.util.Objects;

/**
 * Where a valid output goes by its confidence: ACCEPTED, REVIEW or REJECTED, the confidence it carried (null when it
 * had none usable) and, for every kind but ACCEPTED, the reason.
 */
public record Routing(OutcomeKind kind, Double confidence, String reason) {

    public Routing {
        Objects.requireNonNull(kind, "kind");
        if (kind == OutcomeKind.FAILED) {
            throw new IllegalArgumentException("routing never fails an item: FAILED is for items without an output");
        }
        if (kind != OutcomeKind.ACCEPTED && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException(kind.label() + " routing needs a reason");
        }
    }
}
