package io.batchline.grade;

/** A stored grading object that cannot be read: named with its key and line, so a person can fix or remove it. */
public final class GradeFileException extends RuntimeException {
    public GradeFileException(String message) {
        super(message);
    }
}
