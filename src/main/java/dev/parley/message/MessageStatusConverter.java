package dev.parley.message;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

@Converter(autoApply = true)
public class MessageStatusConverter implements AttributeConverter<MessageStatus, String> {

    @Override
    public String convertToDatabaseColumn(MessageStatus status) {
        return status == null ? null : status.wire();
    }

    @Override
    public MessageStatus convertToEntityAttribute(String value) {
        return value == null ? null : MessageStatus.valueOf(value.toUpperCase());
    }
}
