package dev.parley.message;

import jakarta.persistence.AttributeConverter;

/**
 * An enum stored as its lower-case name, as the columns' CHECK constraints and the API spell it
 * ('user', 'pending'); JPA's own EnumType.STRING would store the upper-case constant.
 */
abstract class LowercaseEnumConverter<E extends Enum<E>> implements AttributeConverter<E, String> {

    private final Class<E> type;

    LowercaseEnumConverter(Class<E> type) {
        this.type = type;
    }

    @Override
    public String convertToDatabaseColumn(E value) {
        return value == null ? null : value.name().toLowerCase();
    }

    @Override
    public E convertToEntityAttribute(String value) {
        return value == null ? null : Enum.valueOf(type, value.toUpperCase());
    }
}
