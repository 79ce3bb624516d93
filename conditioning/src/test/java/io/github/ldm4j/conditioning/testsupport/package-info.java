/** Test helpers: seeded random text for property-style cases. */
package io.github.ldm4j.conditioning.testsupport;
