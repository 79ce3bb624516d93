/**
 * Model family 2, the "shapes" oracle: the exact optimal denoiser of 16 labelled images
 * ({@link io.github.ldm4j.testkit.shapes.ShapesDataset}), so that a correct pipeline turns "a red
 * circle" into the red-circle image; also the embedded demo model ({@link
 * io.github.ldm4j.testkit.shapes.ShapesModel#write}). The full specification is on {@link
 * io.github.ldm4j.testkit.shapes.ShapesModel} and in {@code testkit/README.md}.
 */
package io.github.ldm4j.testkit.shapes;
