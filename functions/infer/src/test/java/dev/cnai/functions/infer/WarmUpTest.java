package dev.cnai.functions.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cnai.functions.support.OnnxWarmUp;
import dev.cnai.functions.support.WarmUp;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** infer names ONNX Runtime's warm-up, so a cold start loads the runtime while Quarkus boots (issue 15). */
class WarmUpTest {
    @Test
    void inferWarmsOnnxRuntimeWhileBooting() {
        List<String> named = ServiceLoader.load(WarmUp.class).stream().map(p -> p.type().getName()).toList();
        assertEquals(List.of(OnnxWarmUp.class.getName()), named);
    }
}
