// Types of harness.mjs (plain JS so that bench/browser.mjs can use it without a TypeScript loader).

export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_ARGS: readonly string[];

export interface BrowserRender {
  /** The rendered planes, as posted back by the page. */
  output: Float32Array[];
  /** Wall-clock milliseconds of each repeat, measured in the page with performance.now(). */
  timesMs: number[];
  userAgent: string;
}

export interface BrowserRenderer {
  /** Renders `input` through `spec` in the page with the bundled renderChainOffline. */
  render(spec: unknown, input: readonly Float32Array[], sampleRateHz: number, repeats?: number): Promise<BrowserRender>;
  /** Runs `fn(arg)` in the page; `fn` is serialized, so it may use only its argument and globals. */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  close(): Promise<void>;
  /** Chromium's version string, e.g. "156.0.8078.79". */
  browserVersion: string;
}

/** Launches Chromium (fresh user-data-dir, localhost only) on a page that imports `coreCode` as /core.js. */
export declare function openBrowserRenderer(coreCode: string): Promise<BrowserRenderer>;

export interface RenderComparison {
  maxAbsDiff: number;
  /** 20 log10(maxAbsDiff); -Infinity when identical. */
  maxAbsDiffDbfs: number;
  /** Samples whose bits differ (Object.is). */
  differingSamples: number;
  worst: { channel: number; frame: number };
}

export declare function compareRenders(a: readonly Float32Array[], b: readonly Float32Array[]): RenderComparison;

/** Per Math function: results that differ between Node and the page, and the largest difference in float64 ulps. */
export declare function compareMathFunctions(renderer: BrowserRenderer, count: number): Promise<Record<string, { differing: number; maxUlp: number }>>;
