package io.github.ldm4j.backend.onnx;

import java.util.Locale;

/**
 * An ONNX Runtime execution provider and its device, parsed from configuration strings such as
 * {@code cpu}, {@code cuda}, {@code cuda:1}, {@code tensorrt:0}, {@code coreml}, {@code directml:0},
 * {@code openvino} or {@code openvino:GPU}.
 */
public sealed interface ExecutionProvider {

  /** The configuration string this provider parses from. */
  String spec();

  /** The default CPU provider. */
  static ExecutionProvider cpu() {
    return Cpu.INSTANCE;
  }

  /** ONNX Runtime's default CPU provider. */
  enum Cpu implements ExecutionProvider {
    /** The single instance. */
    INSTANCE;

    @Override
    public String spec() {
      return "cpu";
    }
  }

  /**
   * NVIDIA CUDA (needs the {@code onnxruntime_gpu} artifact with CUDA 12 and cuDNN 9).
   *
   * @param deviceId the CUDA device ordinal
   */
  record Cuda(int deviceId) implements ExecutionProvider {
    /** Validates the device id. */
    public Cuda {
      requireDevice(deviceId);
    }

    @Override
    public String spec() {
      return "cuda:" + deviceId;
    }
  }

  /**
   * NVIDIA TensorRT (needs the {@code onnxruntime_gpu} artifact, CUDA 12, cuDNN 9 and TensorRT).
   *
   * @param deviceId the CUDA device ordinal
   */
  record TensorRt(int deviceId) implements ExecutionProvider {
    /** Validates the device id. */
    public TensorRt {
      requireDevice(deviceId);
    }

    @Override
    public String spec() {
      return "tensorrt:" + deviceId;
    }
  }

  /** Apple Core ML (macOS builds of ONNX Runtime). */
  enum CoreMl implements ExecutionProvider {
    /** The single instance. */
    INSTANCE;

    @Override
    public String spec() {
      return "coreml";
    }
  }

  /**
   * DirectML on Windows.
   *
   * @param deviceId the adapter index
   */
  record DirectMl(int deviceId) implements ExecutionProvider {
    /** Validates the device id. */
    public DirectMl {
      requireDevice(deviceId);
    }

    @Override
    public String spec() {
      return "directml:" + deviceId;
    }
  }

  /**
   * ONNX Runtime's OpenVINO execution provider (not the ldm4j {@code openvino} backend).
   *
   * @param deviceType OpenVINO device type, e.g. {@code CPU}, {@code GPU}, {@code NPU}
   */
  record OpenVino(String deviceType) implements ExecutionProvider {
    /** Validates the device type. */
    public OpenVino {
      if (deviceType == null || deviceType.isBlank()) {
        throw new IllegalArgumentException("OpenVINO device type must not be blank");
      }
    }

    @Override
    public String spec() {
      return "openvino:" + deviceType;
    }
  }

  /**
   * Parses a provider string ({@code name} or {@code name:device}), case-insensitively.
   *
   * @throws IllegalArgumentException for unknown names or malformed device ids, listing the valid forms
   */
  static ExecutionProvider parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("execution provider must not be blank; " + VALID);
    }
    String s = spec.trim();
    int colon = s.indexOf(':');
    String name = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
    String device = colon < 0 ? null : s.substring(colon + 1).trim();
    return switch (name) {
      case "cpu" -> {
        noDevice(spec, device);
        yield Cpu.INSTANCE;
      }
      case "cuda" -> new Cuda(deviceId(spec, device));
      case "tensorrt", "trt" -> new TensorRt(deviceId(spec, device));
      case "coreml" -> {
        noDevice(spec, device);
        yield CoreMl.INSTANCE;
      }
      case "directml", "dml" -> new DirectMl(deviceId(spec, device));
      case "openvino" -> new OpenVino(device == null || device.isEmpty() ? "CPU" : device.toUpperCase(Locale.ROOT));
      default -> throw new IllegalArgumentException("unknown execution provider '" + spec + "'; " + VALID);
    };
  }

  /** The valid forms, for messages. */
  String VALID =
      "expected one of cpu, cuda[:id], tensorrt[:id], coreml, directml[:id], openvino[:CPU|GPU|NPU|AUTO]";

  private static int deviceId(String spec, String device) {
    if (device == null || device.isEmpty()) {
      return 0;
    }
    try {
      return Integer.parseInt(device);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "execution provider '" + spec + "': device id '" + device + "' is not a number; " + VALID);
    }
  }

  private static void noDevice(String spec, String device) {
    if (device != null) {
      throw new IllegalArgumentException("execution provider '" + spec + "' takes no device id; " + VALID);
    }
  }

  private static void requireDevice(int id) {
    if (id < 0) {
      throw new IllegalArgumentException("device id must be >= 0, got " + id);
    }
  }
}
