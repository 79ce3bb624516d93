package io.github.ldm4j.backend.openvino;

/**
 * OpenVINO's {@code INFERENCE_PRECISION_HINT}: the precision the device computes in, whatever the
 * model's stored precision (GPUs default to f16, recent CPUs to bf16 where they have it).
 */
public enum InferencePrecision {
  /** IEEE single: the most accurate. */
  F32("f32"),
  /** IEEE half. */
  F16("f16"),
  /** bfloat16 (CPUs with AMX / AVX-512 BF16). */
  BF16("bf16");

  private final String value;

  InferencePrecision(String value) {
    this.value = value;
  }

  /** The property value OpenVINO expects ({@code f32}, {@code f16}, {@code bf16}). */
  public String value() {
    return value;
  }
}
