// Lint: typescript-eslint's recommended rules, plus the layering rule of DESIGN.md:
// src/core is pure computation and must run unchanged in a browser Worker, so it may not
// import Node built-ins, the DOM/Web Audio, or any outer layer.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "web/dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/core/**/*.ts"],
    ignores: ["src/core/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["node:*"], message: "src/core is pure: no Node built-ins (DESIGN.md, layers)." },
          { group: ["fs", "path", "os", "worker_threads", "child_process", "stream", "buffer", "crypto", "util", "events"],
            message: "src/core is pure: no Node built-ins (DESIGN.md, layers)." },
          { group: ["**/io/**", "**/pipeline/**", "**/cli/**", "**/server/**", "../../io/*", "../io/*"],
            message: "src/core may not depend on outer layers." },
        ],
      }],
      "no-restricted-globals": ["error",
        { name: "window", message: "src/core is pure: no DOM." },
        { name: "document", message: "src/core is pure: no DOM." },
        { name: "AudioContext", message: "src/core is pure: no Web Audio." },
        { name: "Buffer", message: "src/core is pure: use Uint8Array, not Buffer." },
        { name: "process", message: "src/core is pure: no process globals." },
      ],
    },
  },
);
