/** Build-time part of the Quarkus extension. (Being built; see its issue.) */
package io.github.ldm4j.quarkus.deployment;
