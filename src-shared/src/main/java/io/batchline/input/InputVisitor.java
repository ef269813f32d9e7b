package io.batchline.input;

/** Receives every non-blank line of an input, in file order, as exactly one item or one error. */
public interface InputVisitor {
    void item(InputItem item);

    void error(InputError error);

    /**
     * The fields this visitor reads, when it can take JSONL items as {@link FlatLine}s (for speed: no Jackson tree
     * per line; {@link InputItem#flat()} is then set on the lines that are flat); null, the default, for trees only.
     */
    default FlatLine.Fields flatFields() {
        return null;
    }
}
