package io.batchline.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;

/**
 * Field names read in the order a writer is known to use: {@link #next} first tries the expected name with the
 * parser's byte comparison ({@code nextFieldName(SerializableString)}), which skips the symbol table lookup a
 * streamed read otherwise does for every name (collect speed); a name out of that order is read as usual.
 * <pre>
 * int at = 0;
 * for (String f; (f = Names.next(p, ORDER, at)) != null; ) { at = Names.after(ORDER, f, at); ... }
 * </pre>
 */
public final class Names {
    private Names() {}

    public static SerializedString[] of(String... names) {
        SerializedString[] order = new SerializedString[names.length];
        for (int i = 0; i < names.length; i++) order[i] = new SerializedString(names[i]);
        return order;
    }

    /** The next field's name (the parser then on it), or null at the end of the object. */
    public static String next(JsonParser p, SerializedString[] order, int at) throws IOException {
        if (at >= order.length) return p.nextFieldName();
        if (p.nextFieldName(order[at])) return order[at].getValue();
        return p.currentToken() == JsonToken.FIELD_NAME ? p.currentName() : null;
    }

    /** Where to expect the following name: after {@code name} in the order, or at {@code at} for a name not in it. */
    public static int after(SerializedString[] order, String name, int at) {
        if (at < order.length && order[at].getValue().equals(name)) return at + 1;
        for (int i = 0; i < order.length; i++) if (order[i].getValue().equals(name)) return i + 1;
        return at;
    }
}
