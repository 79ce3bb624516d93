package io.github.ldm4j.checkpoint.pickle.internal;

/** What a persistent id ({@code PERSID}, {@code BINPERSID}) stands for; refusing is the default. */
@FunctionalInterface
public interface PersistentLoader {

  /** Refuses every persistent id. */
  PersistentLoader NONE =
      pid -> {
        throw new BadFormatException("persistent id (" + Values.typeName(pid) + ") outside a checkpoint's object pickle");
      };

  /**
   * The value of persistent id {@code pid}.
   *
   * @throws BadFormatException when {@code pid} is not one this loader knows
   */
  Object load(Object pid) throws BadFormatException;
}
