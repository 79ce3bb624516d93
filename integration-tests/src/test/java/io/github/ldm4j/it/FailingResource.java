package io.github.ldm4j.it;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A test-only endpoint failing with an exception no mapper knows, for {@link UnexpectedErrorTest}. */
@Path("/it/failing")
public class FailingResource {

  /** Always throws {@link IllegalStateException}. */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public String fail() {
    throw new IllegalStateException("simulated backend failure");
  }
}
