package org.quench.hal;

/**
 * An error a user can act on: bad input, a network that does not fit, an unknown device.
 *
 * <p>The message is the whole story: what went wrong, where (file, population, core, field) and,
 * when there is one, what to do about it. Front-ends print the message alone, one line, and never a
 * stack trace (unless asked with {@code --debug}). Programming errors are not QuenchExceptions.
 */
public class QuenchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QuenchException(String message) {
    super(message);
  }

  public QuenchException(String message, Throwable cause) {
    super(message, cause);
  }
}
