package io.batchline.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.job.JobSpec;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A native image binds only the types registered for reflection: every record a job spec is made of (its nested
 * settings, in lists too) must be registered, or a function built native cannot read a job that sets it.
 */
class NativeReflectionTest {

    @Test
    void everyRecordOfTheJobSpecIsRegistered() {
        Set<Class<?>> registered = Set.of(NativeReflection.class.getAnnotation(RegisterForReflection.class).targets());
        TreeSet<String> missing = new TreeSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(JobSpec.class));
        Set<Class<?>> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (!c.isRecord() || !seen.add(c)) continue;
            if (!registered.contains(c)) missing.add(c.getName());
            for (RecordComponent rc : c.getRecordComponents()) {
                todo.add(rc.getType());
                addTypeArguments(rc.getGenericType(), todo);
            }
        }
        assertThat(seen).hasSizeGreaterThan(10);
        assertThat(missing).as("job-spec records not registered for reflection").isEmpty();
    }

    private static void addTypeArguments(Type t, Deque<Class<?>> todo) {
        if (t instanceof ParameterizedType p) {
            for (Type a : p.getActualTypeArguments()) {
                if (a instanceof Class<?> c) todo.add(c);
                addTypeArguments(a, todo);
            }
        }
    }
}
