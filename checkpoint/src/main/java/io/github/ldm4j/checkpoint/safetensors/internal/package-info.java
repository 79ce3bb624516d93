/** Implementation of the safetensors reader: not an API, may change without notice. */
package io.github.ldm4j.checkpoint.safetensors.internal;
