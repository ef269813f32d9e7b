package io.batchline.input;

/** Receives every non-blank line of an input, in file order, as exactly one item or one error. */
public interface InputVisitor {
    void item(InputItem item);

    void error(InputError error);
}
