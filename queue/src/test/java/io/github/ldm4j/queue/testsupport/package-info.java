/** Test support shipped as ldm4j-queue:tests: a real redis-server per test class ({@link io.github.ldm4j.queue.testsupport.RedisServer}). */
package io.github.ldm4j.queue.testsupport;
