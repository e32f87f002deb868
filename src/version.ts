/** runloop-tail's version: set by the build (scripts/build.js defines __VERSION__), else a dev marker. */
declare const __VERSION__: string;

export const VERSION: string = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';
