/*
 * The Outpost real-time client as an ES module with named exports, for browsers:
 *
 *   import { connect } from '/_outpost/client.mjs';
 *   const conn = connect(location.origin + '/objects/chat/lobby?user=ana');
 *
 * It loads the one client file, /_outpost/client.js, which is a classic script: a file with
 * `export` statements cannot also run as a classic script (ECMA-262 parses a Script without them),
 * so the module is this wrapper. `import '/_outpost/client.js'` alone works too and sets
 * globalThis.Outpost. Types: /_outpost/client.d.ts.
 */
import './client.js';

const Outpost = globalThis.Outpost;

export const { PROTOCOL, RpcError, call, connect, nearest, connectNearest } = Outpost;
export default Outpost;
