/** The layer and network builders behind {@link io.github.ldm4j.export.sd.SdGraphs}. Not API. */
package io.github.ldm4j.export.sd.internal;
