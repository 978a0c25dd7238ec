/*
 * The provider objects Pulumi serialises into every resource's state (twice).
 * Each is the whole exports of its own module (sdk/providers/), so that an
 * installed package is stored by reference; see there.
 */
import trustedProvider = require("./providers/trusted");
import suspiciousProvider = require("./providers/suspicious");

export { trustedProvider, suspiciousProvider };
import trustedSetProvider = require("./providers/trusted-set");
import suspiciousSetProvider = require("./providers/suspicious-set");

export { trustedSetProvider, suspiciousSetProvider };
