/**
 * Typed RPC ({@code DurableObjectStub.rpc}): a call travels as a fetch-shaped request marked with
 * {@link dev.outpost.runtime.internal.rpc.RpcWire#METHOD_HEADER}, so it is located, forwarded,
 * queued, gated and re-entered exactly as a stub's {@code fetch}; the turn runner hands such a
 * request to {@link dev.outpost.runtime.internal.rpc.RpcMethods} instead of the object's {@code
 * fetch}. {@link dev.outpost.runtime.internal.rpc.RpcStubs} makes the callers' proxies.
 *
 * <p>Internal to the runtime: depends on {@code api} and Jackson only. See docs/design.md, "Typed
 * RPC".
 */
package dev.outpost.runtime.internal.rpc;
