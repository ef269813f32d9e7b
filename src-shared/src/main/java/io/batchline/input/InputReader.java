package io.batchline.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.job.JobSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Streams one input file (JSONL or CSV, optionally gzipped, chosen by its name) and hands every non-blank
 * line to a visitor as an {@link InputItem} or an {@link InputError}: a bad line fails alone and the
 * rest of the file goes on. Memory stays flat: bytes are read through a bounded buffer, an oversize line is
 * skipped without being buffered, and duplicate ids are found with a compact hash table ({@link IdIndex}).
 *
 * <p>Line numbers are 1-based physical lines; blank lines are skipped but counted, so numbers match what an
 * editor shows. CSV: the first record is the header; RFC 4180 quoting (commas, doubled quotes and newlines
 * inside quotes); a record's line is the line it starts on; CRLF inside a quoted field becomes LF. A quote that
 * would join lines into a record that is not well-formed with the header's field count is unclosed: the record
 * ends at its first line and the lines after it are read again ({@link #readCsv}).
 *
 * <p>A visitor that names the fields it reads ({@link InputVisitor#flatFields}) gets JSONL lines that are flat
 * objects as {@link FlatLine}s, checked and located in one pass over their bytes with no Jackson tree (plan's
 * hot path); every other line, and every error, goes the tree path as before.
 *
 * <p>Not thread-safe: one reader per file.
 */
public final class InputReader {

    public enum Format { JSONL, CSV }

    private static final int MAX_REASON_ID = 80;

    /** Keeps numbers as written (1.50 stays 1.50) and refuses duplicate keys, which would hide a value. */
    private static final ObjectMapper LINE_MAPPER = JsonMapper.builder(
                    JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private final String inputName;
    private final Format format;
    private final boolean gzip;
    private final String idField;
    private final int maxLineBytes;

    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private CharBuffer chars = CharBuffer.allocate(256);
    private final MessageDigest sha256;
    private final IdIndex seenIds = new IdIndex();
    private String decodeError;

    public InputReader(String inputName, String idField, int maxLineBytes) {
        if (maxLineBytes < 1) throw new IllegalArgumentException("max_line_bytes must be positive: " + maxLineBytes);
        this.inputName = inputName;
        this.format = formatOf(inputName);
        this.gzip = isGzip(inputName);
        this.idField = idField;
        this.maxLineBytes = maxLineBytes;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static InputReader forJob(JobSpec job, String inputName) {
        return new InputReader(inputName, job.idField(), job.maxLineBytes());
    }

    /** The format an object key or file name stands for: {@code .jsonl} or {@code .csv}, optionally {@code .gz}. */
    public static Format formatOf(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".gz")) lower = lower.substring(0, lower.length() - 3);
        if (lower.endsWith(".jsonl")) return Format.JSONL;
        if (lower.endsWith(".csv")) return Format.CSV;
        throw new IllegalArgumentException("unsupported input '" + name + "': expected a name ending in .jsonl or .csv,"
                + " optionally followed by .gz");
    }

    public static boolean isGzip(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".gz");
    }

    /** What a read saw: physical lines, and the non-blank ones split into items and errors. */
    public record Summary(long lines, long items, long errors) {
        public long nonBlank() {
            return items + errors;
        }
    }

    /**
     * Reads the whole stream (and closes it), calling the visitor once per non-blank line or CSV record.
     * An IOException (a truncated gzip, a broken connection) is rethrown naming the input: it is not a
     * line's fault, so the caller fails the run rather than a line.
     */
    public Summary read(InputStream in, InputVisitor visitor) throws IOException {
        WatchedSource raw = gzip ? new WatchedSource(in) : null;
        try (InputStream source = gzip ? new GZIPInputStream(raw, 64 * 1024) : in) {
            CountingVisitor counting = new CountingVisitor(visitor);
            LineSplitter lines = new LineSplitter(source, maxLineBytes, format == Format.CSV);
            if (format == Format.JSONL) readJsonl(lines, counting);
            else readCsv(lines, counting);
            return new Summary(lines.lineNumber(), counting.items, counting.errors);
        } catch (IOException e) {
            String message = "reading input " + inputName + ": ";
            // the gzip layer's own complaint about bytes the source delivered whole: reading again cannot help
            if (gzip && e != raw.failure && (e instanceof java.util.zip.ZipException || e instanceof java.io.EOFException)) {
                throw new CorruptInputException(message + (e instanceof java.io.EOFException
                        ? "corrupt input: the gzip stream is truncated (it ends before its end marker: "
                        : "corrupt input: the file is not valid gzip (") + e.getMessage() + ")", e);
            }
            throw new IOException(message + e.getMessage(), e);
        }
    }

    /** The raw bytes under a gzip stream, remembering a failure of their own (a broken connection). */
    private static final class WatchedSource extends java.io.FilterInputStream {
        IOException failure;

        WatchedSource(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw failure = e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw failure = e;
            }
        }
    }

    // ---------------------------------------------------------------- JSONL

    private void readJsonl(LineSplitter lines, InputVisitor visitor) throws IOException {
        FlatLine.Fields flatFields = visitor.flatFields();
        FlatLineScanner flat = flatFields == null ? null : new FlatLineScanner(flatFields);
        while (lines.next()) {
            long line = lines.lineNumber();
            if (lines.oversize()) {
                visitor.error(new InputError(line, null, oversizeReason("line", lines.fullLength())));
                continue;
            }
            byte[] bytes = lines.bytes();
            int length = lines.length();
            if (isBlank(bytes, length)) continue;
            if (flat != null && flat.scan(bytes, length)) { // fast path: a flat line needs no tree
                String id = flat.id();
                emit(visitor, line, id == null || id.isBlank() ? hashId(bytes, length) : id, null, flat.flatLine(), length);
                continue;
            }
            if (!decode(bytes, length)) {
                visitor.error(new InputError(line, null, decodeError));
                continue;
            }
            JsonNode node;
            try (JsonParser parser = LINE_MAPPER.createParser(chars.array(), 0, chars.limit())) {
                node = LINE_MAPPER.readTree(parser);
                if (node != null && parser.nextToken() != null) {
                    visitor.error(new InputError(line, null, "malformed JSON at column "
                            + parser.currentTokenLocation().getColumnNr() + ": unexpected content after the JSON value"));
                    continue;
                }
            } catch (JsonProcessingException e) {
                visitor.error(new InputError(line, null, malformedJson(e)));
                continue;
            }
            if (!(node instanceof ObjectNode fields)) {
                visitor.error(new InputError(line, null, "line is " + describe(node) + ", not an object"));
                continue;
            }
            emit(visitor, line, fields, bytes, length);
        }
    }

    private static String malformedJson(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) message = message.substring(0, newline);
        // Jackson names the start of an unclosed object with its (redacted) source: the line and column say enough
        message = message.replaceAll("\\[Source: [^;]*; ", "[");
        String column = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
        return (e instanceof JsonParseException || e.getLocation() != null ? "malformed JSON" : "unreadable JSON")
                + column + ": " + message;
    }

    private static String describe(JsonNode node) {
        if (node == null) return "empty";
        return switch (node.getNodeType()) {
            case ARRAY -> "a JSON array";
            case STRING -> "a JSON string";
            case NUMBER -> "a JSON number";
            case BOOLEAN -> "a JSON boolean";
            case NULL -> "JSON null";
            default -> "a JSON " + node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    // ---------------------------------------------------------------- CSV

    /**
     * CSV records, with the unclosed-quote rule: a record whose quoted field runs past the end of its
     * first line is kept whole only when its lines make a well-formed record with the header's field count. When
     * they do not (the record does not parse, has another field count, is still inside the quote at the end of
     * the file or past max_line_bytes), the quote is taken as unclosed: the record ends at its first line, which
     * fails naming the quote, and the lines after it are read as records again, so none is swallowed.
     */
    private void readCsv(LineSplitter splitter, InputVisitor visitor) throws IOException {
        CsvLines lines = new CsvLines(splitter);
        List<String> header = null;
        String headerProblem = null;
        long headerLine = 0;
        RecordBuffer record = new RecordBuffer(maxLineBytes);
        while (true) {
            if (!lines.next(record.started())) {
                if (record.started() && record.lineCount > 1) {
                    // the file ended inside a quoted field that began on an earlier line: that quote is unclosed
                    String reason = endAtFirstLine(record, lines, header, "the file ends before it closes");
                    if (header == null && headerProblem == null) {
                        headerLine = record.line;
                        headerProblem = reason;
                    } else {
                        visitor.error(new InputError(record.line, null, headerProblem != null ? unusableHeader(
                                headerLine, headerProblem) : reason));
                    }
                    record.clear();
                    continue;
                }
                break;
            }
            if (!record.started()) {
                if (!lines.oversize() && isBlank(lines.bytes(), lines.length()) && !lines.endsInsideQuotes()) continue;
                record.start(lines.lineNumber());
            }
            record.append(lines);
            boolean isHeader = header == null && headerProblem == null;
            String unclosed = null;
            ParsedRecord parsed = null;
            if (lines.endsInsideQuotes()) { // the quoted field goes on past this newline
                if (record.lineCount == 1 || !record.oversize) continue;
                // a quoted field is never longer than max_line_bytes: decide now rather than buffer on
                unclosed = endAtFirstLine(record, lines, header, "it is still open after max_line_bytes ("
                        + String.format(Locale.ROOT, "%,d", maxLineBytes) + " bytes)");
            } else {
                parsed = parseRecordOrExplain(record);
                if (record.lineCount > 1 && !record.oversize && (parsed.problem != null
                        || header != null && parsed.fields.size() != header.size())) {
                    String why = parsed.problem != null ? "the lines after it do not make a well-formed record ("
                            + parsed.problem + ")" : "the lines after it make a record of " + parsed.fields.size()
                            + " fields, not the header's " + header.size();
                    unclosed = endAtFirstLine(record, lines, header, why);
                }
            }
            if (isHeader) {
                headerLine = record.line;
                if (unclosed != null) headerProblem = unclosed;
                else if (parsed.problem != null) headerProblem = parsed.problem;
                else headerProblem = checkHeader(header = parsed.fields);
                if (headerProblem != null) header = null;
            } else if (headerProblem != null) {
                visitor.error(new InputError(record.line, null, unusableHeader(headerLine, headerProblem)));
            } else if (unclosed != null) {
                visitor.error(new InputError(record.line, null, unclosed));
            } else {
                csvRecord(record, parsed, header, visitor);
            }
            record.clear();
        }
        if (record.started()) {
            // the file ended inside a quoted field opened on its last line
            String reason = "unclosed quote: the CSV record runs to the end of the file";
            if (header == null && headerProblem == null) reason = "the CSV header has an " + reason;
            visitor.error(new InputError(record.line, null, record.oversize ? oversizeReason("CSV record", record.fullLength)
                    + " (" + reason + ")" : reason));
        }
    }

    private static String unusableHeader(long headerLine, String headerProblem) {
        return "CSV header on line " + headerLine + " is unusable: " + headerProblem;
    }

    /**
     * Ends a record whose quote runs on at its first line: the lines held after it go back to be read as records
     * again, and the reason for the first line names the quote and why it was taken as unclosed.
     */
    private String endAtFirstLine(RecordBuffer record, CsvLines lines, List<String> header, String why) {
        lines.pushBack(record.held);
        String quote;
        if (record.firstOversize) {
            quote = "unclosed quote in a line of " + String.format(Locale.ROOT, "%,d", record.firstFullLength)
                    + " bytes, over max_line_bytes " + String.format(Locale.ROOT, "%,d", maxLineBytes);
        } else if (decode(record.bytes, record.firstLength)) {
            List<String> ignored = new ArrayList<>();
            String problem = CsvRecords.split(chars, ignored);
            quote = problem != null && problem.startsWith("unclosed quote") ? problem : "unclosed quote";
        } else {
            quote = "unclosed quote (" + decodeError + ")";
        }
        return quote + ": the quoted field runs past the end of line " + record.line + " and " + why
                + ", so the record ends at line " + record.line + " and the lines after it are read as records again";
    }

    private void csvRecord(RecordBuffer record, ParsedRecord parsed, List<String> header, InputVisitor visitor) {
        long line = record.line;
        if (parsed.problem != null) {
            visitor.error(new InputError(line, null, parsed.problem));
            return;
        }
        List<String> values = parsed.fields;
        if (values.size() != header.size()) {
            visitor.error(new InputError(line, null, "CSV record has " + values.size() + " field"
                    + (values.size() == 1 ? "" : "s") + ", the header has " + header.size()));
            return;
        }
        ObjectNode fields = LINE_MAPPER.createObjectNode();
        for (int i = 0; i < values.size(); i++) fields.put(header.get(i), values.get(i));
        emit(visitor, line, fields, record.bytes, record.length);
    }

    /** A physical line held back to be read again: its bytes (none when it was over max_line_bytes). */
    private record HeldLine(long number, byte[] bytes, int length, long fullLength, boolean oversize) {}

    /** The splitter's lines, after any held-back lines pushed back to be read again as records. */
    private static final class CsvLines {
        private final LineSplitter splitter;
        private final java.util.ArrayDeque<HeldLine> again = new java.util.ArrayDeque<>();
        private HeldLine held;
        private boolean heldEndsInside;

        CsvLines(LineSplitter splitter) {
            this.splitter = splitter;
        }

        /** Advances; {@code insideQuotes}: whether the line starts inside a quoted field (a record goes on). */
        boolean next(boolean insideQuotes) throws IOException {
            held = again.poll();
            if (held != null) {
                // a line over max_line_bytes was not kept, so its quotes cannot be followed: it ends its record
                heldEndsInside = !held.oversize() && LineSplitter.endsInsideQuotes(held.bytes(), held.length(), insideQuotes);
                return true;
            }
            splitter.startNextLine(insideQuotes);
            return splitter.next();
        }

        void pushBack(List<HeldLine> lines) {
            for (int i = lines.size() - 1; i >= 0; i--) again.addFirst(lines.get(i));
        }

        long lineNumber() { return held != null ? held.number() : splitter.lineNumber(); }
        byte[] bytes() { return held != null ? held.bytes() : splitter.bytes(); }
        int length() { return held != null ? held.length() : splitter.length(); }
        boolean oversize() { return held != null ? held.oversize() : splitter.oversize(); }
        long fullLength() { return held != null ? held.fullLength() : splitter.fullLength(); }
        boolean endsInsideQuotes() { return held != null ? heldEndsInside : splitter.endsInsideQuotes(); }
    }

    private record ParsedRecord(List<String> fields, String problem) {}

    private ParsedRecord parseRecordOrExplain(RecordBuffer record) {
        if (record.oversize) return new ParsedRecord(null, oversizeReason("CSV record", record.fullLength));
        if (!decode(record.bytes, record.length)) return new ParsedRecord(null, decodeError);
        List<String> fields = new ArrayList<>();
        String problem = CsvRecords.split(chars, fields);
        return new ParsedRecord(fields, problem);
    }

    private static String checkHeader(List<String> header) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            if (name.isBlank()) return "column " + (i + 1) + " has no name";
            if (!names.add(name)) return "column name '" + name + "' appears twice";
        }
        return null;
    }

    /**
     * Joins the physical lines of one CSV record with '\n', within max_line_bytes; keeps a copy of every line
     * after the first, so that the record can end at its first line and give them back.
     */
    private static final class RecordBuffer {
        private final int maxBytes;
        long line;
        byte[] bytes = new byte[256];
        int length;
        long fullLength;
        boolean oversize;
        int lineCount;
        /** the first line: its length in {@link #bytes}, or that it was over max_line_bytes */
        int firstLength;
        boolean firstOversize;
        long firstFullLength;
        final List<HeldLine> held = new ArrayList<>();
        private boolean started;

        RecordBuffer(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        boolean started() {
            return started;
        }

        void start(long line) {
            this.line = line;
            started = true;
        }

        void append(CsvLines lines) {
            boolean continuation = lineCount++ > 0;
            if (continuation) {
                held.add(new HeldLine(lines.lineNumber(), lines.oversize() ? null
                        : java.util.Arrays.copyOf(lines.bytes(), lines.length()), lines.length(), lines.fullLength(),
                        lines.oversize()));
            } else {
                firstOversize = lines.oversize();
                firstFullLength = lines.fullLength();
            }
            fullLength += lines.fullLength() + (continuation ? 1 : 0);
            if (oversize) return;
            if (lines.oversize() || fullLength > maxBytes) {
                oversize = true; // keep counting, stop buffering
                return;
            }
            if (fullLength > bytes.length) bytes = java.util.Arrays.copyOf(bytes, (int) Math.max(fullLength, bytes.length * 2L));
            if (continuation) bytes[length++] = '\n';
            System.arraycopy(lines.bytes(), 0, bytes, length, lines.length());
            length += lines.length();
            if (!continuation) firstLength = length;
        }

        void clear() {
            started = false;
            length = 0;
            fullLength = 0;
            oversize = false;
            lineCount = 0;
            firstLength = 0;
            firstOversize = false;
            firstFullLength = 0;
            held.clear();
        }
    }

    // ---------------------------------------------------------------- shared

    private void emit(InputVisitor visitor, long line, ObjectNode fields, byte[] bytes, int length) {
        JsonNode idNode = fields.get(idField);
        String id;
        if (idNode == null || idNode.isNull() || (idNode.isTextual() && idNode.textValue().isBlank())) {
            id = hashId(bytes, length); // absent ids get a stable hash of the line
        } else if (idNode.isTextual()) {
            id = idNode.textValue();
        } else if (idNode.isNumber()) {
            id = idNode.asText();
        } else {
            visitor.error(new InputError(line, null, "id field '" + idField + "' is " + describe(idNode)
                    + ", not a string or number"));
            return;
        }
        emit(visitor, line, id, fields, null, length);
    }

    private void emit(InputVisitor visitor, long line, String id, ObjectNode fields, FlatLine flat, int length) {
        long firstLine = seenIds.putIfAbsent(id, line);
        if (firstLine != 0) {
            visitor.error(new InputError(line, id, "duplicate id '" + shorten(id) + "' (first seen on line " + firstLine + ")"));
            return;
        }
        visitor.item(new InputItem(line, id, fields, length, flat));
    }

    /** A line the fast path took, read as the tree path reads it (only when a consumer asks for the tree). */
    static ObjectNode parseObject(byte[] bytes, int length) {
        try {
            return (ObjectNode) LINE_MAPPER.readTree(bytes, 0, length);
        } catch (IOException e) {
            throw new IllegalStateException("a line taken as flat JSON does not parse: " + e.getMessage(), e);
        }
    }

    private static String shorten(String id) {
        return id.length() <= MAX_REASON_ID ? id : id.substring(0, MAX_REASON_ID) + "...";
    }

    private String hashId(byte[] bytes, int length) {
        sha256.reset();
        sha256.update(bytes, 0, length);
        return "h" + HexFormat.of().formatHex(sha256.digest(), 0, 8);
    }

    /** Decodes strict UTF-8 into {@link #chars}; on failure sets {@link #decodeError} with the bad byte's position. */
    private boolean decode(byte[] bytes, int length) {
        if (chars.capacity() < length) chars = CharBuffer.allocate(Math.max(length, chars.capacity() * 2));
        chars.clear();
        utf8.reset();
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        CoderResult result = utf8.decode(in, chars, true);
        if (!result.isError()) result = utf8.flush(chars);
        if (result.isError()) {
            decodeError = "invalid UTF-8 at byte " + (in.position() + 1) + " of the line";
            return false;
        }
        chars.flip();
        return true;
    }

    private static boolean isBlank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r' && b != '\f' && b != 0x0B) return false;
        }
        return true;
    }

    private String oversizeReason(String what, long bytes) {
        return String.format(Locale.ROOT, "%s is %,d bytes, over max_line_bytes %,d", what, bytes, maxLineBytes);
    }

    private static final class CountingVisitor implements InputVisitor {
        private final InputVisitor delegate;
        long items;
        long errors;

        CountingVisitor(InputVisitor delegate) {
            this.delegate = delegate;
        }

        @Override
        public void item(InputItem item) {
            items++;
            delegate.item(item);
        }

        @Override
        public void error(InputError error) {
            errors++;
            delegate.error(error);
        }

        @Override
        public FlatLine.Fields flatFields() {
            return delegate.flatFields();
        }
    }
}
