/** A WebAssembly text file imported by a module: its assembled binary (scripts/wat.js). */
declare module '*.wat' {
  const binary: Uint8Array;
  export default binary;
}
