package dev.parley.common;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.constraints.Pattern;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * A flag in a query parameter, spelled true or false. The parameter is text, not a Boolean, so
 * that another spelling is a 400 naming it rather than a 404 from parameter conversion.
 */
@Documented
@Constraint(validatedBy = {})
@Pattern(regexp = "true|false", message = "must be true or false")
@Target({FIELD, PARAMETER})
@Retention(RUNTIME)
public @interface QueryBoolean {

    String message() default "must be true or false";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
