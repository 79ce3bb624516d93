/** The sampler algorithms (CompVis and k-diffusion families) and sigma/timestep schedules. (Being built; see its issue.) */
package io.github.ldm4j.samplers;
