package dev.parley.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Endpoints that an API key may not call, whatever its scopes: 403 for a key. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface JwtOnly {

    /** The 403's detail: why a key may not do this. */
    String value() default "This endpoint needs a bearer JWT; API keys cannot call it";
}
