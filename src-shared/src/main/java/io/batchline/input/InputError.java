package io.batchline.input;

/**
 * One input line (or CSV record) that cannot become a request; the rest of the file goes on.
 *
 * @param line   1-based physical line where it starts
 * @param id     the item id when it could be read, else null
 * @param reason what is wrong, precisely enough to fix the line
 */
public record InputError(long line, String id, String reason) {}
