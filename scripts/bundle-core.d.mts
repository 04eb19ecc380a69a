// Types of bundle-core.mjs (plain JS so the benchmark scripts can run it without a TypeScript loader).

export declare const ROOT: string;
/** src/core/chain/offline.ts: renderChainOffline(spec, input, sampleRateHz). */
export declare const DEFAULT_ENTRY: string;
/** Bundles a src/core entry into one ES module (esbuild, es2022, not minified); returns its source. */
export declare function bundleCore(entryPath?: string): Promise<string>;
/** Bundles into `outFile` (directories created); returns the path. */
export declare function bundleCoreToFile(outFile: string, entryPath?: string): Promise<string>;
