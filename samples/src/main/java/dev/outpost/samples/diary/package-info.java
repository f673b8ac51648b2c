/**
 * The {@code diary} sample: a private diary per user, reachable only with a JSON Web Token whose
 * {@code sub} is the diary's name. The router's {@code jwt} guard and {@link
 * dev.outpost.samples.diary.OwnerOnly} decide before the diary wakes (see {@code
 * dev.outpost.api.ConnectGuard}); the diary trusts the subject they pass on.
 *
 * <p>Loaded as a code bundle like any user's: depends on {@code dev.outpost.api} and the JDK only.
 */
package dev.outpost.samples.diary;
