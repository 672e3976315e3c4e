/**
 * @module parse/sysctl
 * Kernel parameters at run time (`sysctl -a`) and as configured to persist (sysctl.d), plus
 * the other multi-file configuration sources framed the same way (modules-load.d, CNI).
 */
export { parseSysctl, type SysctlValue } from './parse-sysctl.js';
export { parseSysctlConf, type SysctlConfEntry } from './parse-sysctl-conf.js';
export {
  parseSysctlPersistent,
  effectiveSysctlConf,
  type PersistentSysctl,
} from './parse-sysctl-persistent.js';
export { parseModulesLoad, type ModuleToLoad } from './parse-modules-load.js';
export { parseCniConf, type CniConfFile } from './parse-cni-conf.js';
export { splitFramedFiles, joinFramedFiles, type FramedFile } from './framed-files.js';
export { normaliseSysctlName, normaliseSysctlValue } from './sysctl-name.js';
