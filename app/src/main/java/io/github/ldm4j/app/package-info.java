/** The ldm4j application: command line and REST service. (Being built; see its issue.) */
package io.github.ldm4j.app;
