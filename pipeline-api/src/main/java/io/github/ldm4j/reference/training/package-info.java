/**
 * Reference training maths of CompVis {@code ldm/models/diffusion/ddpm.py} ({@code p_losses},
 * {@code get_loss}, the lvlb weights, {@code LitEma}, the timestep draws): no autograd, no
 * optimiser, not used by generation. It is kept and tested as the executable reference of those
 * formulas:
 *
 * <ul>
 *   <li>{@link io.github.ldm4j.reference.training.DiffusionLoss}: {@code p_losses} and {@code
 *       get_loss} ({@link io.github.ldm4j.reference.training.LossType}), with the {@code
 *       l_simple_weight}, {@code original_elbo_weight}, {@code lvlb_weights} and {@code logvar}
 *       terms ({@link io.github.ldm4j.reference.training.LossConfig}, {@link
 *       io.github.ldm4j.reference.training.LossTerms});
 *   <li>{@link io.github.ldm4j.reference.training.TimestepDraw}: the {@code randint} timestep draw
 *       of {@code forward};
 *   <li>{@link io.github.ldm4j.reference.training.BatchModel}: the model as {@code p_losses} calls
 *       it, one integer timestep per batch item;
 *   <li>{@link io.github.ldm4j.reference.training.Ema}: {@code LitEma}, the moving average of
 *       parameters.
 * </ul>
 *
 * The noising it scores against is the inference maths of {@link io.github.ldm4j.diffusion}
 * ({@code q_sample}, {@code get_v}). Reductions are in double precision.
 */
package io.github.ldm4j.reference.training;
