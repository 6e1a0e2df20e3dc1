package dev.parley.message;

import jakarta.persistence.Converter;

@Converter(autoApply = true)
public class RoleConverter extends LowercaseEnumConverter<Role> {

    public RoleConverter() {
        super(Role.class);
    }
}
