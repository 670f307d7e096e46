package dev.greta.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;

/** Validates bench JSON files against the schemas shipped in src/main/resources/bench/. */
final class SchemaCheck {
    private SchemaCheck() {}

    static Set<ValidationMessage> summaryErrors(Path file) throws IOException { return errors(file, "/bench/summary.schema.json"); }

    static Set<ValidationMessage> statusErrors(Path file) throws IOException { return errors(file, "/bench/status.schema.json"); }

    private static Set<ValidationMessage> errors(Path file, String schemaResource) throws IOException {
        try (InputStream in = SchemaCheck.class.getResourceAsStream(schemaResource)) {
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
            return schema.validate(new ObjectMapper().readTree(file.toFile()));
        }
    }
}
