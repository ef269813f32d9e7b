package io.batchline.metrics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One CloudWatch Embedded Metric Format document: a log line CloudWatch Logs turns into metrics without any
 * API call from the function (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * Dimension values and metric values are top-level members; {@code _aws.CloudWatchMetrics} declares which is
 * which. A metric value may be an array (up to 100 values), which CloudWatch records as separate samples.
 */
public final class EmfLine {
    /** The specification's limit of metrics per directive and of values per array. */
    public static final int MAX_METRICS = 100;
    public static final int MAX_VALUES = 100;

    private final String namespace;
    private final Map<String, String> dimensions = new LinkedHashMap<>();
    private final Map<String, String> units = new LinkedHashMap<>();
    private final ObjectNode root = Json.MAPPER.createObjectNode();

    public EmfLine(String namespace) {
        this.namespace = namespace;
    }

    public EmfLine dimension(String name, String value) {
        dimensions.put(name, value == null ? "unknown" : value);
        return this;
    }

    /** A plain member that is neither a dimension nor a metric (searchable in Logs Insights, e.g. run_id). */
    public EmfLine property(String name, String value) {
        root.put(name, value);
        return this;
    }

    public EmfLine metric(String name, String unit, BigDecimal value) {
        if (value == null) return this;
        declare(name, unit);
        root.put(name, value);
        return this;
    }

    public EmfLine metric(String name, String unit, long value) {
        declare(name, unit);
        root.put(name, value);
        return this;
    }

    public EmfLine metric(String name, String unit, List<? extends Number> values) {
        if (values.isEmpty()) return this;
        declare(name, unit);
        ArrayNode array = root.putArray(name);
        values.stream().limit(MAX_VALUES).forEach(v -> array.add(new BigDecimal(v.toString())));
        return this;
    }

    private void declare(String name, String unit) {
        if (!units.containsKey(name) && units.size() == MAX_METRICS) {
            throw new IllegalStateException("EMF allows at most " + MAX_METRICS + " metrics per document");
        }
        units.put(name, unit);
    }

    public ObjectNode toJson(Instant at) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ObjectNode aws = out.putObject("_aws");
        aws.put("Timestamp", at.toEpochMilli());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", namespace);
        ArrayNode dimensionSet = directive.putArray("Dimensions").addArray();
        dimensions.keySet().forEach(dimensionSet::add);
        ArrayNode metrics = directive.putArray("Metrics");
        units.forEach((name, unit) -> metrics.addObject().put("Name", name).put("Unit", unit));
        dimensions.forEach(out::put);
        out.setAll(root);
        return out;
    }
}
