/**
 * @module parse/proc
 * Small system files: /proc/modules, `uname`, /etc/resolv.conf.
 */
export { parseModules, type LoadedModule } from './parse-modules.js';
export { parseUname, kernelAtLeast, type Uname } from './parse-uname.js';
export { parseResolvConf, type ResolvConf, type ResolvOption } from './parse-resolv-conf.js';
