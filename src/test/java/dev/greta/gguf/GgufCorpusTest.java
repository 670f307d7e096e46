package dev.greta.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The nastiest hostile files, kept as fixtures: each is rejected naming the expected field and reason. */
class GgufCorpusTest {

    @Test
    void everyCorpusFileIsRejectedWithTheExpectedField() throws IOException, URISyntaxException {
        Path dir = Path.of(GgufCorpusTest.class.getResource("/gguf-corpus/expected.json").toURI()).getParent();
        JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
        TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".gguf")).forEach(files::add);
        }
        List<String> listed = new ArrayList<>();
        expected.fieldNames().forEachRemaining(listed::add);
        assertThat(files).containsExactlyInAnyOrderElementsOf(listed);
        for (Map.Entry<String, JsonNode> e : expected.properties()) {
            Path file = dir.resolve(e.getKey());
            GgufFormatException thrown = catchThrowableOfType(GgufFormatException.class, () -> GgufFile.open(file).close());
            assertThat(thrown).as(e.getKey()).isNotNull();
            assertThat(thrown.field()).as(e.getKey()).isEqualTo(e.getValue().get("field").asText());
            assertThat(thrown.getMessage()).as(e.getKey()).contains(e.getValue().get("reason").asText());
            assertThat(GgufVerifier.verify(file, true)).as(e.getKey()).extracting(GgufVerifier.Problem::field)
                    .contains(thrown.field());
        }
    }
}
