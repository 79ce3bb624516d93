package io.github.ldm4j.conditioning.bench;

import io.github.ldm4j.conditioning.TokenizedPrompt;
import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import io.github.ldm4j.conditioning.prompt.PromptParser;
import io.github.ldm4j.conditioning.prompt.PromptSegment;
import io.github.ldm4j.conditioning.prompt.PromptSyntax;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizer throughput in prompts per second: one operation encodes one prompt to its 77-id row,
 * cycling through 16 typical prompts (4 to 70 words, weights, punctuation, a few non-ASCII
 * characters).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ClipTokenizerBenchmark {

  static final List<String> PROMPTS = List.of(
      "a photo of a cat",
      "A red circle",
      "a photograph of an astronaut riding a horse",
      "masterpiece, best quality, ultra-detailed, 8k, highres, 1girl, solo, looking at viewer, smile",
      "portrait of a beautiful woman, oil painting by greg rutkowski and alphonse mucha, trending on artstation",
      "A cozy cabin in the woods, snow falling, warm light from the windows, cinematic lighting, 35mm, f/1.8",
      "cyberpunk city at night, neon signs, rain, reflections, volumetric fog, octane render, 4k, hdr",
      "low quality, blurry, deformed hands, extra fingers, watermark, text, signature, jpeg artifacts",
      "(masterpiece:1.2), (best quality), [blurry], a knight in shining armor standing on a cliff at sunset",
      "Ein gemütliches Café in Zürich, Herbst, Blätter, Straßenbahn, Abendlicht",
      "東京の夜景, neon, rain, 雨, reflections on the street",
      "a bowl of ramen 🍜 with a soft-boiled egg, steam, close-up, food photography",
      "it's a dog's life: a golden retriever puppy sleeping on a couch &amp; a cat watching it",
      "an intricate steampunk airship with brass gears, copper pipes, and billowing sails flying over a"
          + " victorian city skyline at dawn, highly detailed digital painting, concept art, sharp focus,"
          + " illustration, by artgerm and wlop, 8k resolution, unreal engine 5 render, volumetric lighting",
      "minimalist logo of a fox, flat vector, white background",
      "a watercolor painting of a lighthouse on a rocky coast, waves crashing, seagulls, dramatic sky, by"
          + " winslow homer, muted palette, loose brush strokes, paper texture, framed, museum quality");

  private ClipTokenizer cached;
  private ClipTokenizer uncached;
  private int next;

  /** Loads the vocabulary (outside the measurement). */
  @Setup
  public void setup() {
    cached = new ClipTokenizer(ClipVocabulary.openAiClip());
    uncached = new ClipTokenizer(ClipVocabulary.openAiClip(), 0);
  }

  private String nextPrompt() {
    String p = PROMPTS.get(next);
    next = (next + 1) % PROMPTS.size();
    return p;
  }

  /** Encode with the default BPE cache (warm after the first round: the steady state of a service). */
  @Benchmark
  public TokenizedPrompt encodeWithCache() {
    return cached.encode(nextPrompt());
  }

  /** Encode with the cache disabled: every word goes through BPE. */
  @Benchmark
  public TokenizedPrompt encodeWithoutCache() {
    return uncached.encode(nextPrompt());
  }

  /** Parse the A1111 weighting syntax only. */
  @Benchmark
  public List<PromptSegment> parseA1111() {
    return PromptParser.parse(nextPrompt(), PromptSyntax.A1111_STRICT);
  }
}
