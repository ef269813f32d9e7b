package io.batchline.cost;

import java.util.List;

/** A job names a model the price table has no entry for: cost and the budget guard cannot work without one. */
public class UnknownModelPriceException extends IllegalArgumentException {

    private final String model;
    private final List<String> knownModels;

    public UnknownModelPriceException(String model, String asOf, List<String> knownModels) {
        super("no price for model '" + model + "' in the model catalogue of " + asOf + " (known: "
                + String.join(", ", knownModels) + "); add it to a model catalogue file and point "
                + io.batchline.catalogue.ModelCatalogue.MODELS_FILE_ENV + " at it");
        this.model = model;
        this.knownModels = List.copyOf(knownModels);
    }

    public String model() {
        return model;
    }

    public List<String> knownModels() {
        return knownModels;
    }
}
