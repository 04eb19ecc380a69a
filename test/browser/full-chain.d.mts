// Types of full-chain.mjs.

/** A ChainSpec (version 1) with every stage type; validated by renderChainOffline when used. */
export declare const FULL_CHAIN: {
  version: number;
  stages: ReadonlyArray<{ type: string; [param: string]: unknown }>;
};
