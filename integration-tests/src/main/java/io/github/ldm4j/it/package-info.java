/** Integration tests of the Quarkus service. (Being built; see its issue.) */
package io.github.ldm4j.it;
