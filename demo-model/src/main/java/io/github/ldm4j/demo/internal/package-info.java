/** The four ONNX graphs of the shapes oracle (text encoder, oracle UNet, patch-basis VAE). Not API. */
package io.github.ldm4j.demo.internal;
