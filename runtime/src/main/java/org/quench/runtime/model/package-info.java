/**
 * From a model file to a compiled chip image, with the options every model-taking command shares.
 */
package org.quench.runtime.model;
