package dev.outpost.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public interface whose methods typed calls may run on an object that implements it
 * ({@link DurableObjectStub#rpc}, the Java client's {@code RpcClient}, the JS client's {@code
 * call}). Only marked interfaces are callable: an object's other interfaces (callbacks of
 * libraries, interfaces meant for one caller only) are not, so implementing an interface never
 * publishes it by accident. Typed calls from clients come through the router without passing
 * through {@code fetch}: a method that needs the caller checked must check it itself.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Rpc {}
