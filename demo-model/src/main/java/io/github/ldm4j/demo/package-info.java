/**
 * The embedded demo model, the "shapes" oracle: the exact optimal denoiser of 16 labelled images
 * ({@link io.github.ldm4j.demo.ShapesDataset}), so that a correct pipeline turns "a red circle"
 * into the red-circle image. {@link io.github.ldm4j.demo.DemoModelCache#ensure()} writes the 512 px
 * demo folder once into the ldm4j home; {@link io.github.ldm4j.demo.ShapesModel#write} writes any
 * variant ({@link io.github.ldm4j.demo.ShapesOptions}). The full specification is on {@link
 * io.github.ldm4j.demo.ShapesModel} and in {@code demo-model/README.md}.
 */
package io.github.ldm4j.demo;
