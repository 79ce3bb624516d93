/**
 * Internals of the PyTorch checkpoint reader, not API: the restricted pickle virtual machine
 * ({@link io.github.ldm4j.checkpoint.pickle.internal.Unpickler}, its {@link
 * io.github.ldm4j.checkpoint.pickle.internal.AllowList} and inert values), the zip directory reader
 * and the two {@code torch.save} layouts.
 */
package io.github.ldm4j.checkpoint.pickle.internal;
