package dev.greta.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/** The one JSON object that {@code greta infer --json} prints on stdout (fields as in its contract). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record InferResult(String text, List<Integer> genTokenIds, Integer promptTokens, Integer genTokens,
                          Double modelLoadS, Double prefillS, Double prefillDeviceS, Double decodeS, Double prefillTokS,
                          Double decodeTokS, Double wallS, String attnImpl, String backend, Integer threads,
                          String kvType, Boolean deterministic, Integer maxSeqLen, String logitsSha256,
                          String model, Map<String, Object> backendProperties, Integer exitCode) {
}
