/**
 * The noise schedule of the forward process: {@link io.github.ldm4j.schedule.BetaSchedule} (CompVis
 * {@code make_beta_schedule}, with diffusers name mapping) and {@link
 * io.github.ldm4j.schedule.DiffusionSchedule} (every buffer of CompVis {@code register_schedule},
 * and σ(t) ↔ t conversion).
 */
package io.github.ldm4j.schedule;
