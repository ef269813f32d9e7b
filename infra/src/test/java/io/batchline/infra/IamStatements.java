package io.batchline.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads IAM statements out of synthesized policy documents (a field is a string or a list of them). */
final class IamStatements {
    private IamStatements() {}

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> of(Map<String, Object> policyProps) {
        Map<String, Object> doc = (Map<String, Object>) policyProps.get("PolicyDocument");
        return (List<Map<String, Object>>) doc.get("Statement");
    }

    static List<String> actions(Map<String, Object> statement) {
        List<String> out = new ArrayList<>();
        for (Object a : list(statement.get("Action"))) out.add(String.valueOf(a));
        return out;
    }

    static List<Object> resources(Map<String, Object> statement) {
        return list(statement.get("Resource"));
    }

    private static List<Object> list(Object v) {
        if (v == null) return List.of();
        if (v instanceof List<?> l) return new ArrayList<>(l);
        return List.of(v);
    }
}
