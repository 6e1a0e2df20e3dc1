package dev.parley.common;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * Free text a query parameter filters by: at most 500 characters, and no NUL, which PostgreSQL
 * cannot compare. Each broken rule is its own message under the parameter's name.
 */
@Documented
@Constraint(validatedBy = {})
@Size(max = 500, message = "must be at most 500 characters")
@Pattern(regexp = "[^\\x00]*", message = "must not contain NUL characters")
@Target({FIELD, PARAMETER})
@Retention(RUNTIME)
public @interface QueryText {

    String message() default "is not valid";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
