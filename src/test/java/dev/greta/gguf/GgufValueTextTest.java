package dev.greta.gguf;

import dev.greta.gguf.GgufValueText.TypeSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufValueTextTest {

    @Test
    void typesParseByShortAndLongNames() {
        assertThat(TypeSpec.parse("u32")).isEqualTo(TypeSpec.scalar(GgufValueType.UINT32));
        assertThat(TypeSpec.parse("FLOAT32")).isEqualTo(TypeSpec.scalar(GgufValueType.FLOAT32));
        assertThat(TypeSpec.parse("string[]")).isEqualTo(new TypeSpec(GgufValueType.ARRAY, GgufValueType.STRING));
        assertThat(TypeSpec.parse("i16[]").toString()).isEqualTo("i16[]");
        assertThatThrownBy(() -> TypeSpec.parse("u33")).hasMessageContaining("unknown value type 'u33'");
        assertThatThrownBy(() -> TypeSpec.parse("array")).hasMessageContaining("unknown value type");
    }

    @Test
    void newKeysGetATypeFromTheValuesForm() {
        assertThat(GgufValueText.infer("32768").type()).isEqualTo(GgufValueType.UINT32);
        assertThat(GgufValueText.infer("4294967296").type()).isEqualTo(GgufValueType.INT64);
        assertThat(GgufValueText.infer("18446744073709551615").type()).isEqualTo(GgufValueType.UINT64);
        assertThat(GgufValueText.infer("-1").type()).isEqualTo(GgufValueType.INT32);
        assertThat(GgufValueText.infer("-3000000000").type()).isEqualTo(GgufValueType.INT64);
        assertThat(GgufValueText.infer("1e-5").type()).isEqualTo(GgufValueType.FLOAT32);
        assertThat(GgufValueText.infer("0.5").type()).isEqualTo(GgufValueType.FLOAT32);
        assertThat(GgufValueText.infer("TRUE").type()).isEqualTo(GgufValueType.BOOL);
        assertThat(GgufValueText.infer("llama").type()).isEqualTo(GgufValueType.STRING);
        assertThat(GgufValueText.infer("1.2.3").type()).isEqualTo(GgufValueType.STRING);
        assertThatThrownBy(() -> GgufValueText.infer("[1,2]")).hasMessageContaining("--type");
    }

    @Test
    void valuesOutsideTheirTypeAreErrors() {
        assertThatThrownBy(() -> parse("-1", "u32")).hasMessage("'-1' does not fit u32 (0..4294967295)");
        assertThatThrownBy(() -> parse("18446744073709551616", "u64")).hasMessageContaining("does not fit u64");
        assertThatThrownBy(() -> parse("128", "i8")).hasMessageContaining("does not fit i8");
        assertThatThrownBy(() -> parse("1.5", "i32")).hasMessage("'1.5' is not an integer (i32)");
        assertThatThrownBy(() -> parse("1e-50", "f32")).hasMessageContaining("does not fit f32");
        assertThatThrownBy(() -> parse("1e400", "f64")).hasMessageContaining("does not fit f64");
        assertThatThrownBy(() -> parse("0x10", "f32")).hasMessageContaining("is not a number");
        assertThatThrownBy(() -> parse("[1, 300]", "u8[]")).hasMessage("element 1: '300' does not fit u8 (0..255)");
        assertThatThrownBy(() -> parse("[\"a\", 1]", "string[]")).hasMessageContaining("element 1 of the array is not a string");
        assertThatThrownBy(() -> parse("[[1]]", "i32[]")).hasMessageContaining("element 0 of the array is not a i32");
        assertThatThrownBy(() -> parse("[1,", "i32[]")).hasMessageContaining("is not a JSON array");
        assertThatThrownBy(() -> parse("{}", "i32[]")).hasMessageContaining("is not a JSON array");
        assertThatThrownBy(() -> parse("[1] 2", "i32[]")).hasMessageContaining("text after the array");
    }

    @Test
    void formattedValuesParseBackToTheSameValue() {
        GgufWriter every = TestFiles.everyTypeWriter();
        for (var e : every.metadata().entrySet()) {
            GgufValue v = e.getValue();
            TypeSpec spec = TypeSpec.of(v);
            if (spec.elementType() == GgufValueType.ARRAY) continue; // nested arrays have no text form
            assertThat(GgufValueText.parse(GgufValueText.format(v), spec)).as(e.getKey()).isEqualTo(v);
        }
        GgufValue nan = GgufValue.ofArray(GgufArray.ofFloats(new float[]{Float.NaN, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE}));
        assertThat(GgufValueText.format(nan)).isEqualTo("[\"NaN\",\"-Infinity\",-0.0,1.4E-45]");
        assertThat(GgufValueText.parse(GgufValueText.format(nan), TypeSpec.of(nan))).isEqualTo(nan);
    }

    private static GgufValue parse(String text, String type) {
        return GgufValueText.parse(text, TypeSpec.parse(type));
    }
}
